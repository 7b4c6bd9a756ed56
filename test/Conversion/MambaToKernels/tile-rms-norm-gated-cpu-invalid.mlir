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

// -----

func.func @huge_group(%x: tensor<2x131072xf32>, %w: tensor<131072xf32>) -> tensor<2x131072xf32> {
  // expected-error @+1 {{cannot tile for the CPU: group_size = 131072 is more than the 65536 features a thread keeps on its stack}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 131072 : i64}
      : (tensor<2x131072xf32>, tensor<131072xf32>) -> tensor<2x131072xf32>
  return %y : tensor<2x131072xf32>
}
