// GPU test case scan_f32_bare_n1: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_f32_bare_n1.case.json.
func.func @scan(%u: tensor<?x5x?xf32>, %delta: tensor<?x5x?xf32>, %A: tensor<5x1xf32>, %B: tensor<?x1x1x?xf32>, %C: tensor<?x1x1x?xf32>) -> (tensor<?x5x?xf32>) {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 1, chunk_length = 4>}
      : (tensor<?x5x?xf32>, tensor<?x5x?xf32>, tensor<5x1xf32>, tensor<?x1x1x?xf32>, tensor<?x1x1x?xf32>) -> (tensor<?x5x?xf32>)
  return %y : tensor<?x5x?xf32>
}
