// RUN: mamba-opt %s -split-input-file -mamba-tile-embedding=threads-per-block=32 | FileCheck %s

// A block per token ([b, L] ids on the grid's x = L and y = b), the id
// clamped into the table, the row copied by 32 threads.
// CHECK-LABEL: func.func @embed
// CHECK-DAG:  %[[IDS:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?xi32> to memref<?x?xi32>
// CHECK-DAG:  %[[TABLE:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<300x96xbf16> to memref<300x96xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x96xbf16>
// CHECK:      scf.forall (%[[L:.*]], %[[B:.*]]) in (%{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (32) {
// CHECK:          %[[ID:.*]] = memref.load %[[IDS]][%[[B]], %[[L]]]
// CHECK:          %[[ROW:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK:          %[[LOW:.*]] = arith.maxsi %[[ROW]], %{{.*}}
// CHECK:          %[[CLAMPED:.*]] = arith.minsi %[[LOW]], %{{.*}}
// CHECK:          scf.for %[[COL:.*]] = %[[T]] to %{{.*}} step %{{.*}} {
// CHECK:            %[[V:.*]] = memref.load %[[TABLE]][%[[CLAMPED]], %[[COL]]]
// CHECK:            memref.store %[[V]], %[[Y]][%[[B]], %[[L]], %[[COL]]]
// CHECK:      } {mapping = [#gpu.block<x>, #gpu.block<y>]}
// CHECK-NOT:  mamba.embedding
func.func @embed(%ids: tensor<?x?xi32>, %t: tensor<300x96xbf16>) -> tensor<?x?x96xbf16> {
  %y = mamba.embedding %ids, %t : (tensor<?x?xi32>, tensor<300x96xbf16>) -> tensor<?x?x96xbf16>
  return %y : tensor<?x?x96xbf16>
}

// -----

// i64 ids of a decode step: one grid dimension.
// CHECK-LABEL: func.func @embed_step
// CHECK:      scf.forall (%[[B:.*]]) in (%{{.*}}) {
// CHECK:        arith.index_cast %{{.*}} : i64 to index
// CHECK:      } {mapping = [#gpu.block<x>]}
func.func @embed_step(%ids: tensor<?xi64>, %t: tensor<50x64xf32>) -> tensor<?x64xf32> {
  %y = mamba.embedding %ids, %t : (tensor<?xi64>, tensor<50x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
