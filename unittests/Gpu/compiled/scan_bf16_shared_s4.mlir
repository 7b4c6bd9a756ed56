// GPU test case scan_bf16_shared_s4: four threads per channel (4 states
// each) split every chunk of 16 timesteps into slices of 4, each computing
// the per-timestep work of its slice once and sharing it with shuffles; 100
// channels in blocks of 32 (threads past the last channel), sequences that
// end inside a chunk and inside a slice. Compiled at build time by
// mamba-compile, run by MambaGpuTests against the reference library on the
// shapes in scan_bf16_shared_s4.case.json.
func.func @scan(%u: tensor<?x100x?xbf16>, %delta: tensor<?x100x?xbf16>, %A: tensor<100x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<100xf32>, %z: tensor<?x100x?xbf16>, %delta_bias: tensor<100xf32>, %initial_state: tensor<?x100x16xf32>) -> (tensor<?x100x?xbf16>, tensor<?x100x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) initial_state(%initial_state) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 4, chunk_length = 16>}
      : (tensor<?x100x?xbf16>, tensor<?x100x?xbf16>, tensor<100x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<100xf32>, tensor<?x100x?xbf16>, tensor<100xf32>, tensor<?x100x16xf32>) -> (tensor<?x100x?xbf16>, tensor<?x100x16xf32>)
  return %y, %h : tensor<?x100x?xbf16>, tensor<?x100x16xf32>
}
