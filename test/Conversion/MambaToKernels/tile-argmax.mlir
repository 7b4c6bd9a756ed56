// RUN: mamba-opt %s -split-input-file -mamba-tile-argmax=threads-per-block=64 | FileCheck %s

// A block per row of 64 threads. V = 1000 bf16 divides into 16-byte vectors
// of 8: a trip loads four of them per thread (32 elements in flight), all
// before the first comparison; a vector past the row's end is clamped to
// the last one. The thread's (value, index) goes through a warp shuffle
// reduction, the two warps' results through shared memory, and thread 0
// stores the id (0 where no element beat -inf: all are -inf).
// CHECK-LABEL: func.func @rows
// CHECK:      %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x1000xbf16>
// CHECK:      %[[V:.*]] = memref.dim %[[X]], %c1
// CHECK:      %[[IDS:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK:      scf.forall (%[[ROW:.*]]) in (%{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK:          %[[TRIPS:.*]] = arith.ceildivui %[[V]], %c2048
// CHECK:          %[[LAST:.*]] = arith.subi %[[V]], %c8
// CHECK:          scf.for %{{.*}} = %{{.*}} to %[[TRIPS]] step %{{.*}} iter_args(%[[BEST:.*]] = %cst, %[[AT:.*]] = %c2147483647_i32) -> (f32, i32)
// CHECK:            %[[S0:.*]] = arith.minui %{{.*}}, %[[LAST]]
// CHECK:            vector.load %[[X]][%[[ROW]], %[[S0]]] {alignment = 16 : i64} : memref<?x1000xbf16>, vector<8xbf16>
// CHECK-COUNT-3:    vector.load %[[X]]
// CHECK-NOT:        vector.load
// CHECK:            arith.cmpf ogt
// CHECK:            arith.cmpf uno
// CHECK:            arith.cmpf ord
// CHECK:            scf.yield
// CHECK-COUNT-5:  gpu.shuffle  xor %{{.*}} : i32
// CHECK:          %[[VALS:.*]] = memref.alloc() : memref<2xf32, #gpu.address_space<workgroup>>
// CHECK:          %[[IDXS:.*]] = memref.alloc() : memref<2xi32, #gpu.address_space<workgroup>>
// CHECK:          scf.if
// CHECK-NEXT:       memref.store %{{.*}}, %[[VALS]]
// CHECK-NEXT:       memref.store %{{.*}}, %[[IDXS]]
// CHECK:          gpu.barrier
// CHECK:          %[[SLOT:.*]] = arith.minui %{{.*}}, %c1
// CHECK:          memref.load %[[VALS]][%[[SLOT]]]
// CHECK:          memref.load %[[IDXS]][%[[SLOT]]]
// CHECK-COUNT-5:  gpu.shuffle  xor %{{.*}} : i32
// CHECK:          %[[NONE:.*]] = arith.cmpi eq, %[[ID:.*]], %c2147483647_i32
// CHECK:          %[[OUT:.*]] = arith.select %[[NONE]], %c0_i32{{.*}}, %[[ID]]
// CHECK:          scf.if
// CHECK-NEXT:       memref.store %[[OUT]], %[[IDS]][%[[ROW]]] : memref<?xi32>
func.func @rows(%x: tensor<?x1000xbf16>) -> tensor<?xi32> {
  %ids = mamba.argmax %x : (tensor<?x1000xbf16>) -> tensor<?xi32>
  return %ids : tensor<?xi32>
}

// -----

// A dynamic V has no known vector width: 32 scalar loads a trip, and a
// single row is a grid of one block with a rank-0 result.
// CHECK-LABEL: func.func @one_row
// CHECK:      memref.alloc() : memref<i32>
// CHECK:      scf.forall (%{{.*}}) in (1) {
// CHECK:        scf.for
// CHECK-COUNT-32: vector.load %{{.*}} {alignment = 4 : i64} : memref<?xf32>, vector<1xf32>
// CHECK-NOT:      vector.load
// CHECK:          scf.yield
// CHECK:        memref.store %{{.*}}, %{{.*}}[] : memref<i32>
func.func @one_row(%x: tensor<?xf32>) -> tensor<i32> {
  %ids = mamba.argmax %x : (tensor<?xf32>) -> tensor<i32>
  return %ids : tensor<i32>
}
