// Mamba-2's gated norm, compiled for the GPU (no-kernel-lowering.mlir).
func.func @norm(%x: tensor<2x64xf32>, %w: tensor<64xf32>, %z: tensor<2x64xf32>)
    -> tensor<2x64xf32> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 32 : i64}
      : (tensor<2x64xf32>, tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}
