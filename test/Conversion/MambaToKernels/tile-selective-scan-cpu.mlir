// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan-cpu="channels-per-block=4 chunk-length=4" -canonicalize -cse | FileCheck %s

// (Canonicalization turns the loads of read-only inputs into tensor.extract.)

// d = 20 channels in blocks of 4 lanes: a grid of 5 blocks per batch
// element, one thread each. Per block, five [rows, lanes] stack tiles: A
// (scaled for exp2) and the state, [N = 4, 4]; dt, dt * u and the y sums,
// [T = 4, 4]. A and the initial state are read transposed into them once.
// CHECK-LABEL: func.func @scan
// CHECK:       scf.forall (%[[BLK:.*]], %[[BATCH:.*]]) in (5, %{{.*}}) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK-COUNT-5: memref.alloca() : memref<4x4xf32>
// CHECK:         scf.for
// CHECK:           vector.from_elements {{.*}} : vector<4xf32>
// CHECK:           vector.store
// The chunk loop: first the next chunk's rows prefetched (one 64-byte line
// of 4 bf16 timesteps per lane: delta, u, z, then y for writing), then a
// whole chunk with plain row reads, the last with masks.
// CHECK:         scf.for
// CHECK-COUNT-12:  memref.prefetch {{.*}}, read, locality<3>, data : memref<?x20x?xbf16>
// CHECK-COUNT-4:   memref.prefetch {{.*}}, write, locality<3>, data : memref<?x20x?xbf16>
// CHECK:           %[[FULL:.*]] = arith.cmpi eq, %{{.*}}, %c4
// CHECK:           scf.if %[[FULL]] {
// CHECK:             vector.transfer_read {{.*}} {in_bounds = [true]} : memref<?x20x?xbf16>, vector<4xbf16>
// CHECK:             math.log1p {{.*}} : vector<4xf32>
// The 4 x 4 square of dt rows becomes its columns in two rounds of
// perfect shuffles (rows 2 apart interleaved), 8 shuffles per square,
// 4 of them with the low-half mask; dt * u follows the same way.
// CHECK-COUNT-8:     vector.shuffle {{.*}} [0, 4, 1, 5]
// Staging writes the rows transposed, then the recurrence runs states
// outer, timesteps inner (unrolled by 8 where the chunk allows; 4 does
// not): one vector exp2 per timestep, B and C scalars broadcast to every
// lane, the state carried in a register, y summed in the scratch tile.
// CHECK:             scf.for %[[N:.*]] = %c0 to %c4 step %c1 {
// CHECK:               %[[A:.*]] = vector.load %{{.*}}[%[[N]], %c0] : memref<4x4xf32>, vector<4xf32>
// CHECK:               %[[H0:.*]] = vector.load %{{.*}}[%[[N]], %c0] : memref<4x4xf32>, vector<4xf32>
// CHECK:               %[[HN:.*]] = scf.for %[[T:.*]] = %c0 to %c4 step %c1 iter_args(%[[H:.*]] = %[[H0]]) -> (vector<4xf32>) {
// CHECK:                 %[[DT:.*]] = vector.load %{{.*}}[%[[T]], %c0] : memref<4x4xf32>, vector<4xf32>
// CHECK:                 %[[DTA:.*]] = arith.mulf %[[DT]], %[[A]] : vector<4xf32>
// CHECK:                 %[[DECAY:.*]] = math.exp2 %[[DTA]] : vector<4xf32>
// CHECK:                 tensor.extract %{{.*}}[%[[BATCH]], %c0, %[[N]], %{{.*}}] : tensor<?x1x4x?xbf16>
// CHECK:                 vector.broadcast {{.*}} : f32 to vector<4xf32>
// CHECK:                 %[[H1:.*]] = vector.fma %[[DECAY]], %[[H]], %{{.*}} : vector<4xf32>
// CHECK:                 vector.fma %{{.*}}, %[[H1]], %{{.*}} : vector<4xf32>
// CHECK:                 vector.store %{{.*}}, %{{.*}}[%[[T]], %c0] : memref<4x4xf32>, vector<4xf32>
// CHECK:                 scf.yield %[[H1]]
// CHECK:               }
// CHECK:               vector.store %[[HN]], %{{.*}}[%[[N]], %c0] : memref<4x4xf32>, vector<4xf32>
// CHECK:             }
// y per channel row: the D skip, the gate, an unmasked row store, only
// for the block's real channels.
// CHECK:             scf.if
// CHECK:               vector.fma {{.*}} : vector<4xf32>
// CHECK:               arith.divf {{.*}} : vector<4xf32>
// CHECK:               vector.transfer_write %{{.*}}, %{{.*}}[%[[BATCH]], %{{.*}}, %{{.*}}] {in_bounds = [true]} : vector<4xbf16>, memref<?x20x?xbf16>
// CHECK:           } else {
// CHECK:             vector.create_mask
// CHECK:             vector.transfer_read {{.*}} : memref<?x20x?xbf16>, vector<4xbf16>
// Past the sequence end the columns of B and C are clamped into it.
// CHECK:             arith.minui
// CHECK:             vector.transfer_write %{{.*}}, %{{.*}}[%[[BATCH]], %{{.*}}, %{{.*}}] : vector<4xbf16>, memref<?x20x?xbf16>
// CHECK:           }
// The final state, lane by lane, for real channels only.
// CHECK:         scf.for
// CHECK:           scf.if
// CHECK:             memref.store {{.*}} : memref<?x20x4xf32>
func.func @scan(%u: tensor<?x20x?xbf16>, %delta: tensor<?x20x?xbf16>, %A: tensor<20x4xf32>, %B: tensor<?x1x4x?xbf16>, %C: tensor<?x1x4x?xbf16>, %D: tensor<20xf32>, %z: tensor<?x20x?xbf16>, %h0: tensor<?x20x4xf32>) -> (tensor<?x20x?xbf16>, tensor<?x20x4xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) initial_state(%h0) delta_softplus
      : (tensor<?x20x?xbf16>, tensor<?x20x?xbf16>, tensor<20x4xf32>, tensor<?x1x4x?xbf16>, tensor<?x1x4x?xbf16>, tensor<20xf32>, tensor<?x20x?xbf16>, tensor<?x20x4xf32>) -> (tensor<?x20x?xbf16>, tensor<?x20x4xf32>)
  return %y, %h : tensor<?x20x?xbf16>, tensor<?x20x4xf32>
}

// -----

// With groups the block narrows to lanes that divide d / G (6 here: 2
// lanes, 12 blocks), and a block reads its one group's B and C.
// CHECK-LABEL: func.func @groups
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) in (12, %{{.*}}) {
// CHECK:       arith.divui %{{.*}}, %c6
// CHECK-COUNT-5: memref.alloca() : memref<{{[0-9]+}}x2xf32>
// CHECK:       math.exp2 {{.*}} : vector<2xf32>
func.func @groups(%u: tensor<?x24x?xf32>, %A: tensor<24x4xf32>, %B: tensor<?x4x4x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x4xf32>, tensor<?x4x4x?xf32>, tensor<?x4x4x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}

// -----

// A tiling attribute sets the lanes and the chunk.
// CHECK-LABEL: func.func @attribute
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) in (4, %{{.*}}) {
// CHECK:       memref.alloca() : memref<16x16xf32>
// CHECK:       memref.alloca() : memref<8x16xf32>
func.func @attribute(%u: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 16, chunk_length = 8, sequence_splits = 1>}
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}
