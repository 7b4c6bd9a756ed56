// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-tile-selective-scan-cpu

// A GPU tiling (a channel's states split over threads, the sequence over
// blocks) has no CPU form.
func.func @gpu_tiling(%u: tensor<1x64x4xf32>, %A: tensor<64x16xf32>,
    %B: tensor<1x1x16x4xf32>) -> tensor<1x64x4xf32> {
  // expected-error @+1 {{has a GPU tiling (#mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>); the CPU tiling keeps all N = 16 states of a channel in one block (states_per_thread = 16) and does not split the sequence (sequence_splits = 1)}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>}
      : (tensor<1x64x4xf32>, tensor<1x64x4xf32>, tensor<64x16xf32>,
         tensor<1x1x16x4xf32>, tensor<1x1x16x4xf32>) -> tensor<1x64x4xf32>
  return %y : tensor<1x64x4xf32>
}

// -----

// An explicit tiling whose lanes would span two groups is refused (the
// options' default narrows instead).
func.func @lanes_span_groups(%u: tensor<1x24x4xf32>, %A: tensor<24x4xf32>,
    %B: tensor<1x4x4x4xf32>) -> tensor<1x24x4xf32> {
  // expected-error @+1 {{cannot tile for the CPU: channels_per_block = 4 must divide the channels per group d / G = 6}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 4, chunk_length = 16, sequence_splits = 1>}
      : (tensor<1x24x4xf32>, tensor<1x24x4xf32>, tensor<24x4xf32>,
         tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x24x4xf32>
  return %y : tensor<1x24x4xf32>
}

// -----

// The chunk's timesteps are unrolled: the length is bounded.
func.func @chunk_too_long(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
    %B: tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile for the CPU: chunk_length = 1000 must be between 1 and 128}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 8, states_per_thread = 4, chunk_length = 1000, sequence_splits = 1>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// The scratch tiles are sized by N: it must be known.
func.func @dynamic_state_size(%u: tensor<1x8x4xf32>, %A: tensor<8x?xf32>,
    %B: tensor<1x1x?x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{needs a static state size N to be tiled}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x?xf32>,
         tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
