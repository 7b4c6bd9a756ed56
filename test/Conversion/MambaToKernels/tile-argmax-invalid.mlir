// RUN: mamba-opt %s -split-input-file -mamba-tile-argmax -verify-diagnostics
// RUN: not mamba-opt %s -mamba-tile-argmax=threads-per-block=100 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-argmax: threads-per-block = 100 must be 1 (a CPU block) or a multiple of 32 between 32 and 1024

func.func @rank4(%x: tensor<2x3x4x50xf32>) -> tensor<2x3x4xi32> {
  // expected-error @+1 {{cannot tile: 3 leading dimensions (at most two map to the kernel grid)}}
  %i = mamba.argmax %x : (tensor<2x3x4x50xf32>) -> tensor<2x3x4xi32>
  return %i : tensor<2x3x4xi32>
}
