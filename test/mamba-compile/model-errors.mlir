// An entry function with an op the runtime cannot replay is refused, with
// the op named.
// RUN: not mamba-compile %s -o %t.mmod 2>&1 | FileCheck %s

// CHECK: error: 'arith.addf' op cannot be planned: the runtime runs GEMMs (mamba.linear), compiled kernels, views and load-time weight transforms only
// CHECK: mamba-compile: planning the model failed
func.func @prefill(%ids: tensor<?x?xi32> {mamba.input = "ids"},
                   %table: tensor<16x8xf32> {mamba.weight = "embeddings"})
    -> (tensor<?x?x8xf32> {mamba.output = "logits"}) {
  %h = mamba.embedding %ids, %table : (tensor<?x?xi32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
  %twice = arith.addf %h, %h : tensor<?x?x8xf32>
  return %twice : tensor<?x?x8xf32>
}
