// RUN: mamba-opt %s -split-input-file -mamba-tile-causal-conv1d-cpu -verify-diagnostics
// RUN: not mamba-opt %s -split-input-file -mamba-tile-causal-conv1d-cpu=timesteps-per-vector=0 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-causal-conv1d-cpu: timesteps-per-vector = 0 must be between 1 and 64

func.func @dynamic_width(%x: tensor<1x8x10xf32>, %w: tensor<8x?xf32>) -> tensor<1x8x10xf32> {
  // expected-error @+1 {{needs a static convolution width K to be tiled (the window is unrolled)}}
  %y = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, tensor<8x?xf32>) -> tensor<1x8x10xf32>
  return %y : tensor<1x8x10xf32>
}
