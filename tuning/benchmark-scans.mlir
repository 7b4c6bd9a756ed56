// The scans mamba-tune measures for the shipped databases: the Mamba-1
// models of PERFORMANCE.md (130m: d = 1536, 1.4b: 4096, 2.8b: 5120;
// N = 16, one group), in the benchmark scans' form (D, z, delta_bias,
// softplus). See tuning/README.md.
func.func @scan_1536_f32(%u: tensor<?x1536x?xf32>, %delta: tensor<?x1536x?xf32>, %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>, %D: tensor<1536xf32>, %z: tensor<?x1536x?xf32>, %delta_bias: tensor<1536xf32>) -> tensor<?x1536x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      : (tensor<?x1536x?xf32>, tensor<?x1536x?xf32>, tensor<1536x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>, tensor<1536xf32>, tensor<?x1536x?xf32>, tensor<1536xf32>) -> tensor<?x1536x?xf32>
  return %y : tensor<?x1536x?xf32>
}
func.func @scan_1536_bf16(%u: tensor<?x1536x?xbf16>, %delta: tensor<?x1536x?xbf16>, %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<1536xf32>, %z: tensor<?x1536x?xbf16>, %delta_bias: tensor<1536xf32>) -> tensor<?x1536x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      : (tensor<?x1536x?xbf16>, tensor<?x1536x?xbf16>, tensor<1536x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<1536xf32>, tensor<?x1536x?xbf16>, tensor<1536xf32>) -> tensor<?x1536x?xbf16>
  return %y : tensor<?x1536x?xbf16>
}
func.func @scan_4096_bf16(%u: tensor<?x4096x?xbf16>, %delta: tensor<?x4096x?xbf16>, %A: tensor<4096x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<4096xf32>, %z: tensor<?x4096x?xbf16>, %delta_bias: tensor<4096xf32>) -> tensor<?x4096x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      : (tensor<?x4096x?xbf16>, tensor<?x4096x?xbf16>, tensor<4096x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<4096xf32>, tensor<?x4096x?xbf16>, tensor<4096xf32>) -> tensor<?x4096x?xbf16>
  return %y : tensor<?x4096x?xbf16>
}
func.func @scan_5120_bf16(%u: tensor<?x5120x?xbf16>, %delta: tensor<?x5120x?xbf16>, %A: tensor<5120x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<5120xf32>, %z: tensor<?x5120x?xbf16>, %delta_bias: tensor<5120xf32>) -> tensor<?x5120x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      : (tensor<?x5120x?xbf16>, tensor<?x5120x?xbf16>, tensor<5120x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<5120xf32>, tensor<?x5120x?xbf16>, tensor<5120xf32>) -> tensor<?x5120x?xbf16>
  return %y : tensor<?x5120x?xbf16>
}
