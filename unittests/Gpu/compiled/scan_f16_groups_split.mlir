// GPU test case scan_f16_groups_split: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_f16_groups_split.case.json.
func.func @scan(%u: tensor<?x64x?xf16>, %delta: tensor<?x64x?xf16>, %A: tensor<64x16xf32>, %B: tensor<?x4x16x?xf16>, %C: tensor<?x4x16x?xf16>, %D: tensor<64xf32>, %z: tensor<?x64x?xf16>, %delta_bias: tensor<64xf32>) -> (tensor<?x64x?xf16>) {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 8, chunk_length = 8>}
      : (tensor<?x64x?xf16>, tensor<?x64x?xf16>, tensor<64x16xf32>, tensor<?x4x16x?xf16>, tensor<?x4x16x?xf16>, tensor<64xf32>, tensor<?x64x?xf16>, tensor<64xf32>) -> (tensor<?x64x?xf16>)
  return %y : tensor<?x64x?xf16>
}
