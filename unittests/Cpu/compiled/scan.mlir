// Selective scans for the CPU tests: every optional operand in f32 (N = 16,
// one group), and bf16 with two groups, N = 4 and only the gate.
func.func @scan_f32_all(%u: tensor<?x64x?xf32>, %delta: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>, %D: tensor<64xf32>, %z: tensor<?x64x?xf32>, %bias: tensor<64xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%bias) delta_softplus
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>, tensor<64xf32>, tensor<?x64x?xf32>, tensor<64xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

func.func @scan_bf16_groups(%u: tensor<?x32x?xbf16>, %delta: tensor<?x32x?xbf16>, %A: tensor<32x4xf32>, %B: tensor<?x2x4x?xbf16>, %C: tensor<?x2x4x?xbf16>, %z: tensor<?x32x?xbf16>) -> tensor<?x32x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C z(%z)
      : (tensor<?x32x?xbf16>, tensor<?x32x?xbf16>, tensor<32x4xf32>, tensor<?x2x4x?xbf16>, tensor<?x2x4x?xbf16>, tensor<?x32x?xbf16>) -> tensor<?x32x?xbf16>
  return %y : tensor<?x32x?xbf16>
}
