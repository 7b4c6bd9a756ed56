// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=4 chunk-length=2"

// Each thread owns a whole number of states.
func.func @states_do_not_divide(%u: tensor<1x8x4xf32>, %A: tensor<8x6xf32>,
    %B: tensor<1x1x6x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: states_per_thread = 4 does not divide the state size N = 6}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x6xf32>,
         tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// A block's channels must share one group of B and C.
func.func @block_spans_groups(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
    %B: tensor<1x4x4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: channels_per_block = 4 must divide the channels per group d / G = 2}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// States live in registers: their number must be known.
func.func @dynamic_state_size(%u: tensor<1x8x4xf32>, %A: tensor<8x?xf32>,
    %B: tensor<1x1x?x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{needs a static state size N to be tiled}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x?xf32>,
         tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// 2048 channels of one thread each exceed a GPU block.
func.func @too_many_threads(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
    %B: tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: 2048 threads per block exceed 1024}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 2048, states_per_thread = 4, chunk_length = 2>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// Threads of one channel reduce with warp shuffles: a power of two, <= 32.
func.func @threads_per_channel(%u: tensor<1x8x4xf32>, %A: tensor<8x12xf32>,
    %B: tensor<1x1x12x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: N / states_per_thread = 3 threads per channel must be a power of two of at most 32}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x12xf32>,
         tensor<1x1x12x4xf32>, tensor<1x1x12x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// Segments of a split sequence are the grid's z dimension.
func.func @too_many_segments(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
    %B: tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: sequence_splits = 70000 must be between 1 and 65535 (the grid's z dimension)}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 4, chunk_length = 2, sequence_splits = 70000>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// A chunk's timesteps are unrolled: a 1000-step chunk lowered for 35 s
// (a fuzz finding, fuzz/regressions/opt/chunk-1000).
func.func @chunk_too_long(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
    %B: tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{cannot tile: chunk_length = 1000 must be between 1 and 128 (a chunk's timesteps are unrolled)}}
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 8, states_per_thread = 4, chunk_length = 1000, sequence_splits = 1>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
