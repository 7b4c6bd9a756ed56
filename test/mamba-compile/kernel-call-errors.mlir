// A kernel call whose split variant is no kernel function of its type is
// refused, with the call named (mamba-outline-kernels makes these calls;
// hand-written ones are held to the same rules).
// RUN: not mamba-compile %s -o %t.mmod 2>&1 | FileCheck %s

// CHECK: error: 'func.call' op names a split variant @helper that is not a kernel function of the same type
// CHECK: mamba-compile: planning the model failed
func.func @prefill(%u: tensor<?x64x?xf32> {mamba.input = "u"},
                   %A: tensor<64x16xf32> {mamba.weight = "A"},
                   %B: tensor<?x1x16x?xf32> {mamba.input = "B"})
    -> (tensor<?x64x?xf32> {mamba.output = "y"}) {
  %y = call @k0_selective_scan(%u, %u, %A, %B, %B) {mamba.split_variant = @helper}
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}
func.func private @k0_selective_scan(%u: tensor<?x64x?xf32>, %d: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>)
    -> tensor<?x64x?xf32> attributes {mamba.kernel} {
  %y = mamba.selective_scan %u, %d, %A, %B, %C
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}
func.func private @helper(%u: tensor<?x64x?xf32>, %d: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>)
    -> tensor<?x64x?xf32> {
  return %u : tensor<?x64x?xf32>
}
