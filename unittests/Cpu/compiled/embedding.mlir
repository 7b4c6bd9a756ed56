// Host kernels that MambaCpuRuntimeTests runs on every machine: the
// embedding gather (ids clamped into the table) in f32 and bf16, compiled
// by mamba-compile for the x86-64 baseline and for this machine's level.
func.func @embed_f32(%ids: tensor<?x?xi32>, %table: tensor<50x24xf32>) -> tensor<?x?x24xf32> {
  %y = mamba.embedding %ids, %table : (tensor<?x?xi32>, tensor<50x24xf32>) -> tensor<?x?x24xf32>
  return %y : tensor<?x?x24xf32>
}

func.func @embed_bf16(%ids: tensor<?xi32>, %table: tensor<1000x40xbf16>) -> tensor<?x40xbf16> {
  %y = mamba.embedding %ids, %table : (tensor<?xi32>, tensor<1000x40xbf16>) -> tensor<?x40xbf16>
  return %y : tensor<?x40xbf16>
}
