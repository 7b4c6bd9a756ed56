// A Mamba-2 decode step, compiled for the GPU (no-kernel-lowering.mlir).
func.func @step(%s: tensor<1x2x8x4xf32>, %x: tensor<1x2x8xf32>,
                %dt: tensor<1x2xf32>, %A: tensor<2xf32>,
                %B: tensor<1x1x4xf32>, %C: tensor<1x1x4xf32>)
    -> (tensor<1x2x8xf32>, tensor<1x2x8x4xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C dt_softplus
      : (tensor<1x2x8x4xf32>, tensor<1x2x8xf32>, tensor<1x2xf32>,
         tensor<2xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
      -> (tensor<1x2x8xf32>, tensor<1x2x8x4xf32>)
  return %y, %n : tensor<1x2x8xf32>, tensor<1x2x8x4xf32>
}
