// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated -canonicalize -cse | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm-gated=threads-per-block=64 -canonicalize -cse | FileCheck %s --check-prefix=THREADS

// A block per (group, L, b): the grid's x is the two groups of 128; 32
// threads (a quarter of the group's features, in whole warps) stride over
// the group. Pass 1 gates (x * silu(z)) and sums squares, the warp's sum
// goes through five xor shuffles and one shared-memory partial per warp;
// after the barrier, pass 2 gates again and writes g * rsqrt(mean + eps) * w
// in bf16.
// CHECK-LABEL: func.func @norm
// CHECK:      %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x256xbf16>
// CHECK:      scf.forall (%[[G:.*]], %[[L:.*]], %[[B:.*]]) in (2, %{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (32) {
// CHECK:          %[[FIRST:.*]] = arith.muli %[[G]], %c128
// CHECK:          %[[SUM:.*]] = scf.for %{{.*}} = %[[T]] to %c128 step %c32 iter_args
// CHECK:            math.exp2
// CHECK:            math.fma
// CHECK-COUNT-5:  gpu.shuffle  xor
// CHECK:          memref.alloc() {alignment = 16 : i64} : memref<1xf32, #gpu.address_space<workgroup>>
// CHECK:          gpu.barrier
// CHECK:          math.rsqrt
// CHECK:          scf.for %{{.*}} = %[[T]] to %c128 step %c32 {
// CHECK:            math.exp2
// CHECK:            arith.truncf {{.*}} : f32 to bf16
// CHECK:            memref.store %{{.*}}, %[[Y]][%[[B]], %[[L]], %{{.*}}] : memref<?x?x256xbf16>
// THREADS-LABEL: func.func @norm
// THREADS:         scf.forall (%{{.*}}) in (64) {
// THREADS:           memref<2xf32, #gpu.address_space<workgroup>>
func.func @norm(%x: tensor<?x?x256xbf16>, %w: tensor<256xbf16>, %z: tensor<?x?x256xbf16>) -> tensor<?x?x256xbf16> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 128 : i64} : (tensor<?x?x256xbf16>, tensor<256xbf16>, tensor<?x?x256xbf16>) -> tensor<?x?x256xbf16>
  return %y : tensor<?x?x256xbf16>
}

// -----

// Decode rows without a gate: a block per (group, row), no exp; a group of
// 4096 takes the 1024 threads a block has.
// CHECK-LABEL: func.func @decode
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (2, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (1024) {
// CHECK-NOT:      math.exp2
// CHECK:          gpu.barrier
func.func @decode(%x: tensor<?x8192xf32>, %w: tensor<8192xf32>) -> tensor<?x8192xf32> {
  %y = mamba.rms_norm_gated %x, %w {group_size = 4096 : i64} : (tensor<?x8192xf32>, tensor<8192xf32>) -> tensor<?x8192xf32>
  return %y : tensor<?x8192xf32>
}
