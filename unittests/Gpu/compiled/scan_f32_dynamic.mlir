// GPU test case scan_f32_dynamic: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_f32_dynamic.case.json.
func.func @scan(%u: tensor<?x?x?xf32>, %delta: tensor<?x?x?xf32>, %A: tensor<?x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>, %D: tensor<?xf32>, %delta_bias: tensor<?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) delta_bias(%delta_bias) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 16, chunk_length = 16>}
      : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>, tensor<?xf32>, tensor<?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x16xf32>)
  return %y, %h : tensor<?x?x?xf32>, tensor<?x?x16xf32>
}
