// GPU test case scan_bf16_long: a sequence of over a million steps and
// b*d*L past 2^31 elements (64-bit offsets), compiled at build time by
// mamba-compile; MambaGpuTests checks the channels named in
// scan_bf16_long.case.json against the reference library.
func.func @scan(%u: tensor<?x2048x?xbf16>, %delta: tensor<?x2048x?xbf16>, %A: tensor<2048x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<2048xf32>, %z: tensor<?x2048x?xbf16>, %delta_bias: tensor<2048xf32>, %initial_state: tensor<?x2048x16xf32>) -> (tensor<?x2048x?xbf16>, tensor<?x2048x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) initial_state(%initial_state) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 8, chunk_length = 16>}
      : (tensor<?x2048x?xbf16>, tensor<?x2048x?xbf16>, tensor<2048x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<2048xf32>, tensor<?x2048x?xbf16>, tensor<2048xf32>, tensor<?x2048x16xf32>) -> (tensor<?x2048x?xbf16>, tensor<?x2048x16xf32>)
  return %y, %h : tensor<?x2048x?xbf16>, tensor<?x2048x16xf32>
}
