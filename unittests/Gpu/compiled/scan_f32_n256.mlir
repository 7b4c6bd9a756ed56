// GPU test case scan_f32_n256: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_f32_n256.case.json.
func.func @scan(%u: tensor<?x8x?xf32>, %delta: tensor<?x8x?xf32>, %A: tensor<8x256xf32>, %B: tensor<?x1x256x?xf32>, %C: tensor<?x1x256x?xf32>, %D: tensor<8xf32>) -> (tensor<?x8x?xf32>, tensor<?x8x256xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 16, chunk_length = 8>}
      : (tensor<?x8x?xf32>, tensor<?x8x?xf32>, tensor<8x256xf32>, tensor<?x1x256x?xf32>, tensor<?x1x256x?xf32>, tensor<8xf32>) -> (tensor<?x8x?xf32>, tensor<?x8x256xf32>)
  return %y, %h : tensor<?x8x?xf32>, tensor<?x8x256xf32>
}
