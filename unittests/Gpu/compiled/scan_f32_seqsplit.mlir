// GPU test case scan_f32_seqsplit: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_f32_seqsplit.case.json.
func.func @scan(%u: tensor<?x64x?xf32>, %delta: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>, %D: tensor<64xf32>, %z: tensor<?x64x?xf32>, %delta_bias: tensor<64xf32>, %initial_state: tensor<?x64x16xf32>) -> (tensor<?x64x?xf32>, tensor<?x64x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) initial_state(%initial_state) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 16, chunk_length = 8, sequence_splits = 5>}
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>, tensor<64xf32>, tensor<?x64x?xf32>, tensor<64xf32>, tensor<?x64x16xf32>) -> (tensor<?x64x?xf32>, tensor<?x64x16xf32>)
  return %y, %h : tensor<?x64x?xf32>, tensor<?x64x16xf32>
}
