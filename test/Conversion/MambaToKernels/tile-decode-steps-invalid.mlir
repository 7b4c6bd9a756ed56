// RUN: mamba-opt %s -split-input-file -mamba-tile-decode-steps -verify-diagnostics

func.func @dynamic_width(%s: tensor<1x8x?xf32>, %x: tensor<1x8xf32>, %w: tensor<8x?xf32>) -> (tensor<1x8xf32>, tensor<1x8x?xf32>) {
  // expected-error @+1 {{needs a static convolution width K to be tiled (the window lives in registers)}}
  %y, %n = mamba.conv_state_update %s, %x, %w : (tensor<1x8x?xf32>, tensor<1x8xf32>, tensor<8x?xf32>) -> (tensor<1x8xf32>, tensor<1x8x?xf32>)
  return %y, %n : tensor<1x8xf32>, tensor<1x8x?xf32>
}

// -----

func.func @dynamic_states(%s: tensor<1x8x?xf32>, %x: tensor<1x8xf32>, %A: tensor<8x?xf32>, %B: tensor<1x1x?xf32>) -> (tensor<1x8xf32>, tensor<1x8x?xf32>) {
  // expected-error @+1 {{needs a static state size N to be tiled (states live in registers)}}
  %y, %n = mamba.selective_state_update %s, %x, %x, %A, %B, %B : (tensor<1x8x?xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<8x?xf32>, tensor<1x1x?xf32>, tensor<1x1x?xf32>) -> (tensor<1x8xf32>, tensor<1x8x?xf32>)
  return %y, %n : tensor<1x8xf32>, tensor<1x8x?xf32>
}
