// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-step -verify-diagnostics
// RUN: not mamba-opt %s -mamba-tile-ssd-step=threads-per-block=16 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-ssd-step: threads-per-block = 16 must be between 32 and 1024

func.func @dynamic_heads(%s: tensor<1x?x8x4xf32>, %x: tensor<1x?x8xf32>, %dt: tensor<1x?xf32>, %A: tensor<?xf32>, %B: tensor<1x1x4xf32>, %C: tensor<1x1x4xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8x4xf32>) {
  // expected-error @+1 {{needs static heads, head dimension, groups and state size on the GPU (states live in registers)}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C : (tensor<1x?x8x4xf32>, tensor<1x?x8xf32>, tensor<1x?xf32>, tensor<?xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8x4xf32>)
  return %y, %n : tensor<1x?x8xf32>, tensor<1x?x8x4xf32>
}
