// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated-cpu -verify-diagnostics

// Rows map to two grid dimensions: [rows, F] or [b, L, F].
func.func @vector(%x: tensor<64xf32>, %w: tensor<64xf32>) -> tensor<64xf32> {
  // expected-error @+1 {{cannot tile for the CPU: rank 1, expected [rows, F] or [b, L, F]}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 32 : i64}
      : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return %y : tensor<64xf32>
}

// -----

func.func @rank4(%x: tensor<1x2x3x64xf32>, %w: tensor<64xf32>) -> tensor<1x2x3x64xf32> {
  // expected-error @+1 {{cannot tile for the CPU: rank 4, expected [rows, F] or [b, L, F]}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 32 : i64}
      : (tensor<1x2x3x64xf32>, tensor<64xf32>) -> tensor<1x2x3x64xf32>
  return %y : tensor<1x2x3x64xf32>
}
