// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm -verify-diagnostics
// RUN: not mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=48 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: mamba-tile-rms-norm: threads-per-block = 48 must be 0 (automatic), 1 (a CPU block) or a multiple of 32 between 32 and 1024

func.func @rank4(%x: tensor<2x3x4x64xf32>, %w: tensor<64xf32>) -> tensor<2x3x4x64xf32> {
  // expected-error @+1 {{cannot tile: rank 4 is more than the two row dimensions and the feature dimension a kernel grid holds}}
  %y = mamba.rms_norm %x, %w : (tensor<2x3x4x64xf32>, tensor<64xf32>) -> tensor<2x3x4x64xf32>
  return %y : tensor<2x3x4x64xf32>
}
