func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>,
             %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32> {
  %y = mamba.selective_scan %u, %dt, %A, %B, %C D(
