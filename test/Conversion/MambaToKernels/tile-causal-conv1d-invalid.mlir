// RUN: mamba-opt %s -split-input-file -mamba-tile-causal-conv1d -verify-diagnostics
// RUN: not mamba-opt %s -split-input-file -mamba-tile-causal-conv1d=threads-per-block=16 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-causal-conv1d: threads-per-block = 16 must be 1 (a CPU block) or between 32 and 1024

func.func @dynamic_width(%x: tensor<1x8x10xf32>, %w: tensor<8x?xf32>) -> tensor<1x8x10xf32> {
  // expected-error @+1 {{needs a static convolution width K to be tiled (the window is unrolled)}}
  %y = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, tensor<8x?xf32>) -> tensor<1x8x10xf32>
  return %y : tensor<1x8x10xf32>
}

// -----

// The final window is written by one thread per entry.
func.func @wide_window(%x: tensor<1x8x10xf32>, %w: tensor<8x200xf32>) -> (tensor<1x8x10xf32>, tensor<1x8x200xf32>) {
  // expected-error @+1 {{cannot tile: the final window of K = 200 inputs needs at least K threads, but threads-per-block is 128}}
  %y, %s = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, tensor<8x200xf32>) -> (tensor<1x8x10xf32>, tensor<1x8x200xf32>)
  return %y, %s : tensor<1x8x10xf32>, tensor<1x8x200xf32>
}

// -----

// A CPU block (one thread) tiles the channels-last conv elsewhere.
// RUN: not mamba-opt %s -split-input-file -mamba-tile-causal-conv1d=threads-per-block=1 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: with channels_last is tiled for the CPU by mamba-tile-causal-conv1d-cpu
func.func @channels_last(%x: tensor<1x10x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x10x8xf32> {
  %y = mamba.causal_conv1d %x, %w channels_last : (tensor<1x10x8xf32>, tensor<8x4xf32>) -> tensor<1x10x8xf32>
  return %y : tensor<1x10x8xf32>
}
