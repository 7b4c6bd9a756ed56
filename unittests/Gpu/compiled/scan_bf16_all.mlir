// GPU test case scan_bf16_all: compiled at build time by mamba-compile, run by
// MambaGpuTests against the reference library on the shapes in scan_bf16_all.case.json.
func.func @scan(%u: tensor<?x128x?xbf16>, %delta: tensor<?x128x?xbf16>, %A: tensor<128x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<128xf32>, %z: tensor<?x128x?xbf16>, %delta_bias: tensor<128xf32>, %initial_state: tensor<?x128x16xf32>) -> (tensor<?x128x?xbf16>, tensor<?x128x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) initial_state(%initial_state) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 16, chunk_length = 16>}
      : (tensor<?x128x?xbf16>, tensor<?x128x?xbf16>, tensor<128x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<128xf32>, tensor<?x128x?xbf16>, tensor<128xf32>, tensor<?x128x16xf32>) -> (tensor<?x128x?xbf16>, tensor<?x128x16xf32>)
  return %y, %h : tensor<?x128x?xbf16>, tensor<?x128x16xf32>
}
