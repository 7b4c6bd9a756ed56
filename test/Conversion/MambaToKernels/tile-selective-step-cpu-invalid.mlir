// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-step-cpu -verify-diagnostics

// The scratch vectors are sized by E, N, R and K: they must be known.
func.func @dynamic_channels(%xz: tensor<1x?xf32>, %cs: tensor<1x?x4xf32>, %ss: tensor<1x?x16xf32>, %wc: tensor<?x4xf32>, %wx: tensor<36x?xf32>, %wdt: tensor<?x4xf32>, %bdt: tensor<?xf32>, %a: tensor<?x16xf32>, %d: tensor<?xf32>) -> (tensor<1x?xf32>, tensor<1x?x4xf32>, tensor<1x?x16xf32>) {
  // expected-error @+1 {{needs a static E to be tiled (the kernels size their scratch by E, N, R and K)}}
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<1x?xf32>, tensor<1x?x4xf32>, tensor<1x?x16xf32>, tensor<?x4xf32>, tensor<36x?xf32>, tensor<?x4xf32>, tensor<?xf32>, tensor<?x16xf32>, tensor<?xf32>) -> (tensor<1x?xf32>, tensor<1x?x4xf32>, tensor<1x?x16xf32>)
  return %y, %c, %s : tensor<1x?xf32>, tensor<1x?x4xf32>, tensor<1x?x16xf32>
}
