// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated -verify-diagnostics
// RUN: not mamba-opt %s -mamba-tile-rms-norm-gated=threads-per-block=48 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: mamba-tile-rms-norm-gated: threads-per-block = 48 must be 0 (automatic) or a multiple of 32 between 32 and 1024

func.func @rank4(%x: tensor<1x2x3x64xf32>, %w: tensor<64xf32>) -> tensor<1x2x3x64xf32> {
  // expected-error @+1 {{cannot tile for the GPU: rank 4, expected [rows, F] or [b, L, F]}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 32 : i64} : (tensor<1x2x3x64xf32>, tensor<64xf32>) -> tensor<1x2x3x64xf32>
  return %y : tensor<1x2x3x64xf32>
}
