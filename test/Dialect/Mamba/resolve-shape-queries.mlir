// RUN: mamba-opt %s -split-input-file -allow-unregistered-dialect -mamba-resolve-shape-queries -canonicalize | FileCheck %s

// Sizes asked of the end of a chain are the arguments' sizes; a static one
// is a constant.
// CHECK-LABEL: func.func @chain
// CHECK-SAME:  (%[[X:[a-z0-9]+]]: tensor<?x?x64xf32>,
// CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:   %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:   %[[B:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:   %[[L:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK:       return %[[B]], %[[L]], %[[C64]]
func.func @chain(%x: tensor<?x?x64xf32>, %w: tensor<64xf32>) -> (index, index, index) {
  %a = mamba.rms_norm %x, %w : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
  %b = mamba.rms_norm %a, %w : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
  %c = mamba.rms_norm %b, %w : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %d0 = tensor.dim %c, %c0 : tensor<?x?x64xf32>
  %d1 = tensor.dim %c, %c1 : tensor<?x?x64xf32>
  %d2 = tensor.dim %c, %c2 : tensor<?x?x64xf32>
  return %d0, %d1, %d2 : index, index, index
}

// -----

// A collapsed dimension is the product of the sizes it merges (an affine
// product, as tensor.collapse_shape reifies it); an op that
// cannot say its sizes keeps the query.
// CHECK-LABEL: func.func @collapse_and_opaque
// CHECK-DAG:   %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK-DAG:   %[[L:.*]] = tensor.dim %arg0, %c1
// CHECK:       %[[N:.*]] = affine.apply #{{.*}}()[%[[B]], %[[L]]]
// CHECK:       %[[O:.*]] = "test.opaque"
// CHECK:       %[[M:.*]] = tensor.dim %[[O]], %c0
// CHECK:       return %[[N]], %[[M]]
func.func @collapse_and_opaque(%x: tensor<?x?x64xf32>) -> (index, index) {
  %flat = tensor.collapse_shape %x [[0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
  %o = "test.opaque"() : () -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %flat, %c0 : tensor<?x64xf32>
  %m = tensor.dim %o, %c0 : tensor<?xf32>
  return %n, %m : index, index
}
