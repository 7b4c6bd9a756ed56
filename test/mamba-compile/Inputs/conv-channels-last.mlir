func.func @conv(%x: tensor<1x16x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x16x8xf32> {
  %y = mamba.causal_conv1d %x, %w channels_last : (tensor<1x16x8xf32>, tensor<8x4xf32>) -> tensor<1x16x8xf32>
  return %y : tensor<1x16x8xf32>
}
