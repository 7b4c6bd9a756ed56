// Mamba-2 decode steps for the CPU tests (CpuMamba2OpsTest.cpp reads the same
// table): N 16 to 256, 1, 2 and 8 groups, D per head and per head and
// channel, z, dt_bias, softplus, dt limits, f32 and bf16.

func.func @step_f32_all_n16(%s: tensor<?x4x32x16xf32>, %x: tensor<?x4x32xf32>, %dt: tensor<?x4xf32>, %A: tensor<4xf32>, %B: tensor<?x2x16xf32>, %C: tensor<?x2x16xf32>, %D: tensor<4xf32>, %z: tensor<?x4x32xf32>, %bias: tensor<4xf32>) -> (tensor<?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {dt_min = 0.001 : f64, dt_max = 0.5 : f64}
      : (tensor<?x4x32x16xf32>, tensor<?x4x32xf32>, tensor<?x4xf32>, tensor<4xf32>, tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<4xf32>, tensor<?x4x32xf32>, tensor<4xf32>) -> (tensor<?x4x32xf32>, tensor<?x4x32x16xf32>)
  return %y, %n : tensor<?x4x32xf32>, tensor<?x4x32x16xf32>
}

func.func @step_bf16_g8_n128(%s: tensor<?x8x32x128xf32>, %x: tensor<?x8x32xbf16>, %dt: tensor<?x8xbf16>, %A: tensor<8xf32>, %B: tensor<?x8x128xbf16>, %C: tensor<?x8x128xbf16>, %D: tensor<8x32xf32>, %z: tensor<?x8x32xbf16>, %bias: tensor<8xf32>) -> (tensor<?x8x32xbf16>, tensor<?x8x32x128xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus
      : (tensor<?x8x32x128xf32>, tensor<?x8x32xbf16>, tensor<?x8xbf16>, tensor<8xf32>, tensor<?x8x128xbf16>, tensor<?x8x128xbf16>, tensor<8x32xf32>, tensor<?x8x32xbf16>, tensor<8xf32>) -> (tensor<?x8x32xbf16>, tensor<?x8x32x128xf32>)
  return %y, %n : tensor<?x8x32xbf16>, tensor<?x8x32x128xf32>
}

func.func @step_f32_bare_n256(%s: tensor<?x2x64x256xf32>, %x: tensor<?x2x64xf32>, %dt: tensor<?x2xf32>, %A: tensor<2xf32>, %B: tensor<?x1x256xf32>, %C: tensor<?x1x256xf32>) -> (tensor<?x2x64xf32>, tensor<?x2x64x256xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C
      : (tensor<?x2x64x256xf32>, tensor<?x2x64xf32>, tensor<?x2xf32>, tensor<2xf32>, tensor<?x1x256xf32>, tensor<?x1x256xf32>) -> (tensor<?x2x64xf32>, tensor<?x2x64x256xf32>)
  return %y, %n : tensor<?x2x64xf32>, tensor<?x2x64x256xf32>
}
