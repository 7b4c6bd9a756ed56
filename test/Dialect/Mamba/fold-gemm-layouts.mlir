// RUN: mamba-opt %s -split-input-file -mamba-fold-gemm-layouts | FileCheck %s

// A projection into the conv's layout and one out of the scan's: both
// transposes become layouts of the GEMMs.
// CHECK-LABEL: func.func @into_and_out_of_channels
// CHECK-SAME: (%[[H:[a-z0-9]+]]: tensor<?x?x64xf32>, %[[W:[a-z0-9]+]]: tensor<128x64xf32>, %[[Y:[a-z0-9]+]]: tensor<?x128x?xf32>, %[[W2:[a-z0-9]+]]: tensor<64x128xf32>
// CHECK-NOT:  linalg.transpose
// CHECK:      %[[X:.*]] = mamba.linear %[[H]], %[[W]] {y_features_major} : (tensor<?x?x64xf32>, tensor<128x64xf32>) -> tensor<?x128x?xf32>
// CHECK:      %[[OUT:.*]] = mamba.linear %[[Y]], %[[W2]] {x_features_major} : (tensor<?x128x?xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
// CHECK:      return %[[X]], %[[OUT]]
func.func @into_and_out_of_channels(%h: tensor<?x?x64xf32>, %w: tensor<128x64xf32>, %y: tensor<?x128x?xf32>, %w2: tensor<64x128xf32>, %b0: index, %l: index) -> (tensor<?x128x?xf32>, tensor<?x?x64xf32>) {
  %rows = mamba.linear %h, %w : (tensor<?x?x64xf32>, tensor<128x64xf32>) -> tensor<?x?x128xf32>
  %e0 = tensor.empty(%b0, %l) : tensor<?x128x?xf32>
  %x = linalg.transpose ins(%rows : tensor<?x?x128xf32>) outs(%e0 : tensor<?x128x?xf32>) permutation = [0, 2, 1]
  %e1 = tensor.empty(%b0, %l) : tensor<?x?x128xf32>
  %yrows = linalg.transpose ins(%y : tensor<?x128x?xf32>) outs(%e1 : tensor<?x?x128xf32>) permutation = [0, 2, 1]
  %out = mamba.linear %yrows, %w2 : (tensor<?x?x128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return %x, %out : tensor<?x128x?xf32>, tensor<?x?x64xf32>
}

// -----

// Channels in, channels out (B and C of the scan), with the bias kept.
// CHECK-LABEL: func.func @channels_to_channels
// CHECK:      mamba.linear %{{.*}}, %{{.*}} bias(%{{.*}}) {x_features_major, y_features_major} : (tensor<2x128x7xbf16>, tensor<16x128xbf16>, tensor<16xbf16>) -> tensor<2x16x7xbf16>
// CHECK-NOT:  linalg.transpose
func.func @channels_to_channels(%c: tensor<2x128x7xbf16>, %w: tensor<16x128xbf16>, %b: tensor<16xbf16>) -> tensor<2x16x7xbf16> {
  %e0 = tensor.empty() : tensor<2x7x128xbf16>
  %rows = linalg.transpose ins(%c : tensor<2x128x7xbf16>) outs(%e0 : tensor<2x7x128xbf16>) permutation = [0, 2, 1]
  %p = mamba.linear %rows, %w bias(%b) : (tensor<2x7x128xbf16>, tensor<16x128xbf16>, tensor<16xbf16>) -> tensor<2x7x16xbf16>
  %e1 = tensor.empty() : tensor<2x16x7xbf16>
  %t = linalg.transpose ins(%p : tensor<2x7x16xbf16>) outs(%e1 : tensor<2x16x7xbf16>) permutation = [0, 2, 1]
  return %t : tensor<2x16x7xbf16>
}

// -----

// Other permutations are no GEMM layout and stay.
// CHECK-LABEL: func.func @other_permutation
// CHECK:      mamba.linear %{{.*}}, %{{.*}} : (tensor<2x7x128xf32>, tensor<16x128xf32>) -> tensor<2x7x16xf32>
// CHECK:      linalg.transpose {{.*}} permutation = [1, 0, 2]
func.func @other_permutation(%x: tensor<2x7x128xf32>, %w: tensor<16x128xf32>) -> tensor<7x2x16xf32> {
  %p = mamba.linear %x, %w : (tensor<2x7x128xf32>, tensor<16x128xf32>) -> tensor<2x7x16xf32>
  %e = tensor.empty() : tensor<7x2x16xf32>
  %t = linalg.transpose ins(%p : tensor<2x7x16xf32>) outs(%e : tensor<7x2x16xf32>) permutation = [1, 0, 2]
  return %t : tensor<7x2x16xf32>
}

// -----

// A linear with another use keeps its layout: folding the transpose would
// run the GEMM twice.
// CHECK-LABEL: func.func @shared_linear
// CHECK:      %[[P:.*]] = mamba.linear %{{.*}}, %{{.*}} : (tensor<2x7x128xf32>, tensor<16x128xf32>) -> tensor<2x7x16xf32>
// CHECK:      linalg.transpose ins(%[[P]]
// CHECK-NOT:  mamba.linear
func.func @shared_linear(%x: tensor<2x7x128xf32>, %w: tensor<16x128xf32>) -> (tensor<2x7x16xf32>, tensor<2x16x7xf32>) {
  %p = mamba.linear %x, %w : (tensor<2x7x128xf32>, tensor<16x128xf32>) -> tensor<2x7x16xf32>
  %e = tensor.empty() : tensor<2x16x7xf32>
  %t = linalg.transpose ins(%p : tensor<2x7x16xf32>) outs(%e : tensor<2x16x7xf32>) permutation = [0, 2, 1]
  return %p, %t : tensor<2x7x16xf32>, tensor<2x16x7xf32>
}
