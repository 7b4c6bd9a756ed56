// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-cpu -verify-diagnostics

// The state lives on the stack and the N states are one vector: H, P, G
// and N must be static.
func.func @dynamic_heads(%x: tensor<1x16x?x8xf32>, %dt: tensor<1x16x?xf32>,
                         %A: tensor<?xf32>, %B: tensor<1x16x1x4xf32>,
                         %C: tensor<1x16x1x4xf32>) -> tensor<1x16x?x8xf32> {
  // expected-error @+1 {{needs static heads, head dimension, groups and state size on the CPU (H, P, G, N = ?, 8, 1, 4)}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C
      : (tensor<1x16x?x8xf32>, tensor<1x16x?xf32>, tensor<?xf32>,
         tensor<1x16x1x4xf32>, tensor<1x16x1x4xf32>) -> tensor<1x16x?x8xf32>
  return %y : tensor<1x16x?x8xf32>
}

// -----

func.func @dynamic_state(%s: tensor<1x2x8x?xf32>, %x: tensor<1x2x8xf32>,
                         %dt: tensor<1x2xf32>, %A: tensor<2xf32>,
                         %B: tensor<1x1x?xf32>, %C: tensor<1x1x?xf32>)
    -> (tensor<1x2x8xf32>, tensor<1x2x8x?xf32>) {
  // expected-error @+1 {{needs static heads, head dimension, groups and state size on the CPU (H, P, G, N = 2, 8, 1, ?)}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C
      : (tensor<1x2x8x?xf32>, tensor<1x2x8xf32>, tensor<1x2xf32>,
         tensor<2xf32>, tensor<1x1x?xf32>, tensor<1x1x?xf32>)
      -> (tensor<1x2x8xf32>, tensor<1x2x8x?xf32>)
  return %y, %n : tensor<1x2x8xf32>, tensor<1x2x8x?xf32>
}

// -----

func.func @huge_state(%x: tensor<1x4x2x512xf32>, %dt: tensor<1x4x2xf32>,
                      %A: tensor<2xf32>, %B: tensor<1x4x1x256xf32>,
                      %C: tensor<1x4x1x256xf32>) -> tensor<1x4x2x512xf32> {
  // expected-error @+1 {{cannot tile for the CPU: a head's state of P x N = 512 x 256 is more than the 65536 values a thread keeps on its stack}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C
      : (tensor<1x4x2x512xf32>, tensor<1x4x2xf32>, tensor<2xf32>,
         tensor<1x4x1x256xf32>, tensor<1x4x1x256xf32>) -> tensor<1x4x2x512xf32>
  return %y : tensor<1x4x2x512xf32>
}
