// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated-cpu -canonicalize -cse | FileCheck %s

// [rows, F = 64] in groups of 32: a block per (group, row). The group's
// features are gated by silu(z) into a stack buffer while their squares
// are summed, 16 at a time (vectors), then written times rsqrt(mean + eps)
// and the weight.
// CHECK-LABEL: func.func @norm
// CHECK:       %[[Y:.*]] = memref.alloc() : memref<2x64xf32>
// CHECK:       scf.forall (%[[G:.*]], %[[ROW:.*]]) in (2, 2) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[FIRST:.*]] = arith.muli %[[G]], %c32 : index
// CHECK:           %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// CHECK:           %[[SUMS:.*]] = scf.for %[[I:.*]] = %c0 to %c32 step %c16 iter_args(%{{.*}}) -> (vector<16xf32>) {
// CHECK:             math.exp2 %{{.*}} : vector<16xf32>
// CHECK:             vector.store %{{.*}}, %[[BUF]][%[[I]]] : memref<32xf32>, vector<16xf32>
// CHECK:             vector.fma
// CHECK:           %[[SUM:.*]] = vector.reduction <add>, %[[SUMS]] fastmath<reassoc> : vector<16xf32> into f32
// CHECK:           %[[MEAN:.*]] = arith.divf %[[SUM]], %cst{{.*}} : f32
// CHECK:           math.rsqrt
// CHECK:           scf.for %[[J:.*]] = %c0 to %c32 step %c16 {
// CHECK:             %[[COL:.*]] = arith.addi %[[FIRST]], %[[J]] : index
// CHECK:             vector.transfer_write %{{.*}}, %[[Y]][%[[ROW]], %[[COL]]] {in_bounds = [true]} : vector<16xf32>, memref<2x64xf32>
func.func @norm(%x: tensor<2x64xf32>, %w: tensor<64xf32>, %z: tensor<2x64xf32>)
    -> tensor<2x64xf32> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 32 : i64}
      : (tensor<2x64xf32>, tensor<64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// [b, L, F] without z: the grid is (groups, L, b); no gate is computed.
// 48 features go 16 at a time, bf16 widened on the way in and narrowed on
// the way out.
// CHECK-LABEL: func.func @tokens
// CHECK:       scf.forall (%{{.*}}, %[[T:.*]], %[[B:.*]]) in (1, %{{.*}}, %{{.*}}) {
// CHECK-NOT:     math.exp2
// CHECK:           arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK:         math.rsqrt
// CHECK:           arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
func.func @tokens(%x: tensor<?x?x48xbf16>, %w: tensor<48xf32>)
    -> tensor<?x?x48xbf16> {
  %y = mamba.rms_norm_gated %x, %w {group_size = 48 : i64}
      : (tensor<?x?x48xbf16>, tensor<48xf32>) -> tensor<?x?x48xbf16>
  return %y : tensor<?x?x48xbf16>
}

// -----

// A group of 12 features: vectors of 4, the widest that divides it.
// CHECK-LABEL: func.func @narrow
// CHECK:         scf.for %{{.*}} = %c0 to %c12 step %c4 iter_args(%{{.*}}) -> (vector<4xf32>) {
// CHECK:         scf.for %{{.*}} = %c0 to %c12 step %c4 {
// CHECK:           vector.transfer_write %{{.*}} : vector<4xf32>, memref<3x24xf32>
func.func @narrow(%x: tensor<3x24xf32>, %w: tensor<24xf32>, %z: tensor<3x24xf32>)
    -> tensor<3x24xf32> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 12 : i64}
      : (tensor<3x24xf32>, tensor<24xf32>, tensor<3x24xf32>) -> tensor<3x24xf32>
  return %y : tensor<3x24xf32>
}
