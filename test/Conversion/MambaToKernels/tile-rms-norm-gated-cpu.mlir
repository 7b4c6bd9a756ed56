// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated-cpu -canonicalize -cse | FileCheck %s

// [rows, F = 64] in groups of 32: a block per (group, row). The group's
// features are gated by silu(z) into a stack buffer while their squares
// are summed, then written times rsqrt(mean + eps) and the weight.
// CHECK-LABEL: func.func @norm
// CHECK:       %[[Y:.*]] = memref.alloc() : memref<2x64xf32>
// CHECK:       scf.forall (%[[G:.*]], %[[ROW:.*]]) in (2, 2) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[FIRST:.*]] = arith.muli %[[G]], %c32 : index
// CHECK:           %[[BUF:.*]] = memref.alloca() : memref<32xf32>
// CHECK:           %[[SUM:.*]] = scf.for %[[I:.*]] = %c0 to %c32 step %c1 iter_args(%{{.*}}) -> (f32) {
// CHECK:             math.exp2
// CHECK:             memref.store %{{.*}}, %[[BUF]][%[[I]]]
// CHECK:             math.fma
// CHECK:           %[[MEAN:.*]] = arith.divf %[[SUM]], %cst{{.*}} : f32
// CHECK:           math.rsqrt
// CHECK:           scf.for %[[J:.*]] = %c0 to %c32 step %c1 {
// CHECK:             %[[COL:.*]] = arith.addi %[[FIRST]], %[[J]] : index
// CHECK:             memref.store %{{.*}}, %[[Y]][%[[ROW]], %[[COL]]]
func.func @norm(%x: tensor<2x64xf32>, %w: tensor<64xf32>, %z: tensor<2x64xf32>)
    -> tensor<2x64xf32> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 32 : i64}
      : (tensor<2x64xf32>, tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// [b, L, F] without z: the grid is (groups, L, b); no gate is computed.
// CHECK-LABEL: func.func @tokens
// CHECK:       scf.forall (%{{.*}}, %[[T:.*]], %[[B:.*]]) in (1, %{{.*}}, %{{.*}}) {
// CHECK-NOT:     math.exp2
// CHECK:         math.rsqrt
func.func @tokens(%x: tensor<?x?x48xbf16>, %w: tensor<48xf32>)
    -> tensor<?x?x48xbf16> {
  %y = mamba.rms_norm_gated %x, %w {group_size = 48 : i64}
      : (tensor<?x?x48xbf16>, tensor<48xf32>) -> tensor<?x?x48xbf16>
  return %y : tensor<?x?x48xbf16>
}
