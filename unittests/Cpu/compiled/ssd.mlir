// Mamba-2 SSD scans for the CPU tests (CpuMamba2OpsTest.cpp reads the same
// table): N from 16 to 256, P 32 and 64, 1, 2 and 8 groups, D per head
// and per head and channel, each optional operand, dt limits, f32 and
// bf16. Generated once by hand; keep in step with the test's cases.

func.func @ssd_f32_all_n16(%x: tensor<?x?x4x32xf32>, %dt: tensor<?x?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<4xf32>, %z: tensor<?x?x4x32xf32>, %bias: tensor<4xf32>, %h0: tensor<?x4x32x16xf32>, %seq: tensor<?x?xi32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) initial_states(%h0) seq_idx(%seq) dt_softplus {chunk_size = 16 : i64, dt_min = 0.001 : f64, dt_max = 0.5 : f64}
      : (tensor<?x?x4x32xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<4xf32>, tensor<?x?x4x32xf32>, tensor<4xf32>, tensor<?x4x32x16xf32>, tensor<?x?xi32>) -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y, %s : tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
}

func.func @ssd_f32_bare_n64(%x: tensor<?x?x2x64xf32>, %dt: tensor<?x?x2xf32>, %A: tensor<2xf32>, %B: tensor<?x?x1x64xf32>, %C: tensor<?x?x1x64xf32>) -> tensor<?x?x2x64xf32> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {chunk_size = 16 : i64}
      : (tensor<?x?x2x64xf32>, tensor<?x?x2xf32>, tensor<2xf32>, tensor<?x?x1x64xf32>, tensor<?x?x1x64xf32>) -> tensor<?x?x2x64xf32>
  return %y : tensor<?x?x2x64xf32>
}

func.func @ssd_f32_g8_n128(%x: tensor<?x?x8x32xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8xf32>, %B: tensor<?x?x8x128xf32>, %C: tensor<?x?x8x128xf32>, %D: tensor<8x32xf32>, %bias: tensor<8xf32>, %h0: tensor<?x8x32x128xf32>) -> (tensor<?x?x8x32xf32>, tensor<?x8x32x128xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) dt_bias(%bias) initial_states(%h0) dt_softplus {chunk_size = 16 : i64}
      : (tensor<?x?x8x32xf32>, tensor<?x?x8xf32>, tensor<8xf32>, tensor<?x?x8x128xf32>, tensor<?x?x8x128xf32>, tensor<8x32xf32>, tensor<8xf32>, tensor<?x8x32x128xf32>) -> (tensor<?x?x8x32xf32>, tensor<?x8x32x128xf32>)
  return %y, %s : tensor<?x?x8x32xf32>, tensor<?x8x32x128xf32>
}

func.func @ssd_bf16_g8_n128(%x: tensor<?x?x8x32xbf16>, %dt: tensor<?x?x8xbf16>, %A: tensor<8xf32>, %B: tensor<?x?x8x128xbf16>, %C: tensor<?x?x8x128xbf16>, %D: tensor<8x32xf32>, %z: tensor<?x?x8x32xbf16>, %bias: tensor<8xf32>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x128xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {chunk_size = 16 : i64}
      : (tensor<?x?x8x32xbf16>, tensor<?x?x8xbf16>, tensor<8xf32>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>, tensor<8x32xf32>, tensor<?x?x8x32xbf16>, tensor<8xf32>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x128xf32>)
  return %y, %s : tensor<?x?x8x32xbf16>, tensor<?x8x32x128xf32>
}

func.func @ssd_bf16_all_n256(%x: tensor<?x?x2x64xbf16>, %dt: tensor<?x?x2xbf16>, %A: tensor<2xf32>, %B: tensor<?x?x1x256xbf16>, %C: tensor<?x?x1x256xbf16>, %D: tensor<2xf32>, %z: tensor<?x?x2x64xbf16>, %bias: tensor<2xf32>, %h0: tensor<?x2x64x256xf32>, %seq: tensor<?x?xi32>) -> (tensor<?x?x2x64xbf16>, tensor<?x2x64x256xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) initial_states(%h0) seq_idx(%seq) dt_softplus {chunk_size = 16 : i64, dt_max = 0.2 : f64}
      : (tensor<?x?x2x64xbf16>, tensor<?x?x2xbf16>, tensor<2xf32>, tensor<?x?x1x256xbf16>, tensor<?x?x1x256xbf16>, tensor<2xf32>, tensor<?x?x2x64xbf16>, tensor<2xf32>, tensor<?x2x64x256xf32>, tensor<?x?xi32>) -> (tensor<?x?x2x64xbf16>, tensor<?x2x64x256xf32>)
  return %y, %s : tensor<?x?x2x64xbf16>, tensor<?x2x64x256xf32>
}
