// RUN: mamba-opt %s -split-input-file -mamba-tile-embedding -verify-diagnostics
// RUN: not mamba-opt %s -mamba-tile-embedding=threads-per-block=2000 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-embedding: threads-per-block = 2000 must be 1 (a CPU block) or between 32 and 1024

func.func @rank3(%ids: tensor<2x3x4xi32>, %t: tensor<50x64xf32>) -> tensor<2x3x4x64xf32> {
  // expected-error @+1 {{cannot tile: ids of rank 3 (at most two token dimensions map to the kernel grid)}}
  %y = mamba.embedding %ids, %t : (tensor<2x3x4xi32>, tensor<50x64xf32>) -> tensor<2x3x4x64xf32>
  return %y : tensor<2x3x4x64xf32>
}
