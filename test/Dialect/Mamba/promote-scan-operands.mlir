// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-promote-scan-operands -canonicalize -cse | FileCheck %s

// The tiled scan's B chunk: a [4 states, <= 2 timesteps] tile of bf16, read
// along the states and widened to f32 right away. It is staged once per
// block, transposed and widened, between two barriers, with the copy spread
// over the 8 threads; the read becomes a contiguous f32 read.
// CHECK-LABEL: func @stage_chunk
// CHECK:       scf.forall (%{{.*}}) in (%{{.*}}) {
// CHECK:         %[[SMEM:.*]] = memref.alloc() {alignment = 16 : i64} : memref<2x4xf32, #gpu.address_space<workgroup>>
// CHECK:         scf.forall (%[[TID:.*]]) in (8) {
// CHECK:           scf.for %[[K:.*]] =
// CHECK:             %[[SIZE:.*]] = arith.minui %{{.*}}, %c2
// CHECK:             %[[TILE:.*]] = memref.subview
// CHECK-NOT:         mamba.promote
// CHECK:             gpu.barrier
// CHECK:             scf.for %[[I:.*]] = %[[TID]] to %c8 step %c8 {
// CHECK:               %[[ROW:.*]] = arith.divui %[[I]], %c2
// CHECK:               %[[COL:.*]] = arith.remui %[[I]], %c2
// CHECK:               %[[INCOL:.*]] = arith.cmpi ult, %[[COL]], %[[SIZE]]
// CHECK:               %[[V:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:                 %[[G:.*]] = memref.load %[[TILE]][%[[ROW]], %[[COL]]]
// CHECK:                 %[[W:.*]] = arith.extf %[[G]] : bf16 to f32
// CHECK:                 scf.yield %[[W]]
// CHECK:               } else {
// CHECK:                 scf.yield %cst
// CHECK:               memref.store %[[V]], %[[SMEM]][%[[COL]], %[[ROW]]]
// CHECK:             gpu.barrier
// CHECK:             %[[R:.*]] = vector.transfer_read %[[SMEM]][%{{.*}}, %{{.*}}], %cst {in_bounds = [true]} : memref<2x4xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-NOT:         arith.extf
// CHECK:             vector.transfer_write %[[R]]
func.func @stage_chunk(%B: memref<?x1x4x?xbf16>, %out: memref<4xf32>, %n: index, %len: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %pad = arith.constant 0.0 : bf16
  scf.forall (%bi) in (%n) {
    scf.forall (%t) in (8) {
      scf.for %k = %c0 to %len step %c1 {
        %t0 = arith.muli %k, %c2 : index
        %rest = arith.subi %len, %t0 : index
        %size = arith.minui %rest, %c2 : index
        %tile = memref.subview %B[%bi, 0, 0, %t0] [1, 1, 4, %size] [1, 1, 1, 1] {mamba.promote}
            : memref<?x1x4x?xbf16> to memref<4x?xbf16, strided<[?, 1], offset: ?>>
        %col = vector.transfer_read %tile[%c0, %c0], %pad
            {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>}
            : memref<4x?xbf16, strided<[?, 1], offset: ?>>, vector<4xbf16>
        %wide = arith.extf %col : vector<4xbf16> to vector<4xf32>
        vector.transfer_write %wide, %out[%c0] {in_bounds = [true]} : vector<4xf32>, memref<4xf32>
      }
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Two tiles of one chunk share the barriers: one before both copies, one
// after. A tile whose reads are not widened keeps its element type.
// CHECK-LABEL: func @two_tiles
// CHECK-DAG:   memref.alloc() {alignment = 16 : i64} : memref<3x2xf16, #gpu.address_space<workgroup>>
// CHECK-DAG:   memref.alloc() {alignment = 16 : i64} : memref<3x2xf16, #gpu.address_space<workgroup>>
// CHECK:       gpu.barrier
// CHECK-NEXT:  scf.for
// CHECK:       scf.for
// CHECK:       gpu.barrier
// CHECK-NOT:   gpu.barrier
func.func @two_tiles(%B: memref<2x3xf16>, %C: memref<2x3xf16>, %out: memref<2xf16>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      %b = memref.subview %B[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
      %c = memref.subview %C[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
      %rb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<2x3xf16, strided<[3, 1]>>, vector<2xf16>
      %rc = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<2x3xf16, strided<[3, 1]>>, vector<2xf16>
      %s = arith.addf %rb, %rc : vector<2xf16>
      vector.transfer_write %s, %out[%c0] {in_bounds = [true]} : vector<2xf16>, memref<2xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A tile outside a block/thread nest has no threads to copy it.
func.func @outside_nest(%B: memref<2x3xf16>) {
  // expected-error @+1 {{marked for promotion must sit in a thread loop inside a block loop}}
  %b = memref.subview %B[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
  return
}

// -----

// Reads other than vector.transfer_read cannot be redirected.
func.func @scalar_read(%B: memref<2x3xf16>, %out: memref<1xf16>) {
  %c0 = arith.constant 0 : index
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      %b = memref.subview %B[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
      // expected-error @+1 {{reads a tile marked for promotion; only unmasked 1-D vector.transfer_read can be redirected to shared memory}}
      %v = memref.load %b[%c0, %c0] : memref<2x3xf16, strided<[3, 1]>>
      memref.store %v, %out[%c0] : memref<1xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// The staging buffer needs a static size.
func.func @dynamic_tile(%B: memref<2x?xf16>, %n: index, %out: memref<2xf16>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      // expected-error @+1 {{marked for promotion needs static bounds on its sizes}}
      %b = memref.subview %B[0, 0] [2, %n] [1, 1] {mamba.promote} : memref<2x?xf16> to memref<2x?xf16, strided<[?, 1]>>
      %rb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<2x?xf16, strided<[?, 1]>>, vector<2xf16>
      vector.transfer_write %rb, %out[%c0] {in_bounds = [true]} : vector<2xf16>, memref<2xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
