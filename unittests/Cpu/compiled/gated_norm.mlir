// Gated norms for the CPU tests (CpuMamba2OpsTest.cpp reads the same
// table): [rows, F] and [b, L, F], one group and several, with and without
// z, f32 and bf16 (weights in f32 or the activation type).

func.func @norm_f32_groups(%x: tensor<?x128xf32>, %w: tensor<128xf32>, %z: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 32 : i64}
      : (tensor<?x128xf32>, tensor<128xf32>, tensor<?x128xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

func.func @norm_f32_one_group_no_z(%x: tensor<?x?x96xf32>, %w: tensor<96xf32>) -> tensor<?x?x96xf32> {
  %y = mamba.rms_norm_gated %x, %w {group_size = 96 : i64, eps = 1.0e-3 : f64}
      : (tensor<?x?x96xf32>, tensor<96xf32>) -> tensor<?x?x96xf32>
  return %y : tensor<?x?x96xf32>
}

func.func @norm_bf16_groups(%x: tensor<?x?x256xbf16>, %w: tensor<256xbf16>, %z: tensor<?x?x256xbf16>) -> tensor<?x?x256xbf16> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64}
      : (tensor<?x?x256xbf16>, tensor<256xbf16>, tensor<?x?x256xbf16>) -> tensor<?x?x256xbf16>
  return %y : tensor<?x?x256xbf16>
}
