func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>,
             %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32> {
  // A misspelled op name.
  %y = mamba.selective_scam %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}
