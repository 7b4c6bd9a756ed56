// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-scan -verify-diagnostics
// RUN: not mamba-opt %s -mamba-tile-ssd-scan=threads-per-block=2000 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-ssd-scan: threads-per-block = 2000 must be between 32 and 1024

func.func @dynamic_state(%x: tensor<1x16x2x8xf32>, %dt: tensor<1x16x2xf32>, %A: tensor<2xf32>, %B: tensor<1x16x1x?xf32>, %C: tensor<1x16x1x?xf32>) -> tensor<1x16x2x8xf32> {
  // expected-error @+1 {{needs static heads, head dimension, groups and state size on the GPU (states live in registers)}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<1x16x2x8xf32>, tensor<1x16x2xf32>, tensor<2xf32>, tensor<1x16x1x?xf32>, tensor<1x16x1x?xf32>) -> tensor<1x16x2x8xf32>
  return %y : tensor<1x16x2x8xf32>
}
