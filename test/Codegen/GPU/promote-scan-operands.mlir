// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-promote-scan-operands="double-buffer=false" -canonicalize -cse | FileCheck %s
// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-promote-scan-operands -canonicalize -cse | FileCheck %s --check-prefix=DB
// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-promote-scan-operands="async-copy=true" -canonicalize -cse | FileCheck %s --check-prefix=ASYNC

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
// CHECK:               scf.if %{{.*}} {
// CHECK:                 %[[G:.*]] = memref.load %[[TILE]][%[[ROW]], %[[COL]]]
// CHECK:                 %[[W:.*]] = arith.extf %[[G]] : bf16 to f32
// CHECK:                 memref.store %[[W]], %[[SMEM]][%[[COL]], %[[ROW]]]
// CHECK:               } else {
// CHECK:                 memref.store %cst, %[[SMEM]][%[[COL]], %[[ROW]]]
// CHECK:             gpu.barrier
// CHECK:             %[[R:.*]] = vector.transfer_read %[[SMEM]][%{{.*}}, %{{.*}}], %cst {in_bounds = [true]} : memref<2x4xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-NOT:         arith.extf
// CHECK:             vector.transfer_write %[[R]]

// Double-buffered (the default in a normalized loop): two stages; chunk 0
// is staged before the loop, and each iteration has one barrier, then loads
// the next chunk into registers and stores it into the other stage at the
// end of the body.
// DB-LABEL: func @stage_chunk
// DB:       %[[SMEM:.*]] = memref.alloc() {alignment = 16 : i64} : memref<2x2x4xf32, #gpu.address_space<workgroup>>
// DB:       scf.forall (%[[TID:.*]]) in (8) {
// DB:         scf.if %{{.*}} {
// DB:           %[[G0:.*]] = scf.if %{{.*}} -> (bf16) {
// DB:             memref.load
// DB:           %[[W0:.*]] = arith.extf %{{.*}} : bf16 to f32
// DB:           memref.store %[[W0]], %[[SMEM]][%c0, %{{.*}}, %{{.*}}]
// DB:         scf.for %[[K:.*]] =
// DB:           %[[STAGE:.*]] = arith.remui %[[K]], %c2
// DB:           %[[OTHER:.*]] = arith.subi %c1, %[[STAGE]]
// DB-NEXT:      gpu.barrier
// DB:           %[[NEXT:.*]] = scf.if %{{.*}} -> (vector<1xbf16>) {
// DB:             memref.subview
// DB:             memref.load
// DB:           vector.transfer_read %[[SMEM]][%[[STAGE]], %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : memref<2x2x4xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// DB-NOT:       gpu.barrier
// DB:           scf.if %{{.*}} {
// DB:             vector.extract %[[NEXT]][0]
// DB:             memref.store %{{.*}}, %[[SMEM]][%[[OTHER]], %{{.*}}, %{{.*}}]
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
// Outside a loop nothing is double-buffered.
// DB-LABEL: func @two_tiles
// DB-COUNT-2:  memref<3x2xf16, #gpu.address_space<workgroup>>
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
      // expected-error @+1 {{uses a tile marked for promotion; only unmasked 1-D vector.transfer_read and transfer_write can be redirected to shared memory}}
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

// -----

// A row tile read along its columns (each thread reads its own row of
// timesteps): staged untransposed, in its storage type, each 32-byte row
// padded to 48 bytes so that 16-byte reads of 8 consecutive rows hit
// different banks. Full, aligned tiles move in 16-byte vectors.
// CHECK-LABEL: func @row_tile
// CHECK:       memref.alloc() {alignment = 16 : i64} : memref<4x24xbf16, #gpu.address_space<workgroup>>
// CHECK:       vector.transfer_read %{{.*}}[%{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : memref<4x24xbf16, #gpu.address_space<workgroup>>, vector<16xbf16>
// DB-LABEL: func @row_tile
// DB:       memref.alloc() {alignment = 16 : i64} : memref<2x4x24xbf16, #gpu.address_space<workgroup>>
// DB:       memref.extract_aligned_pointer_as_index
// DB:       vector.load %{{.*}} {alignment = 16 : i64} : memref<4x?xbf16, strided<[?, 1], offset: ?>>, vector<8xbf16>
// DB:       vector.store %{{.*}} {alignment = 16 : i64} : memref<2x4x24xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// With cp.async those vectors are copied without registers: issued after
// the barrier, committed, and waited for before the next barrier.
// ASYNC-LABEL: func @row_tile
// ASYNC:       nvgpu.device_async_copy {{.*}}, 8 {bypassL1} : memref<4x?xbf16, strided<[?, 1], offset: ?>> to memref<2x4x24xbf16, #gpu.address_space<workgroup>>
// ASYNC:       nvgpu.device_async_create_group
// ASYNC:       scf.for
// ASYNC:         %[[G:.*]] = nvgpu.device_async_create_group
// ASYNC-NEXT:    nvgpu.device_async_wait %[[G]] {numGroups = 0 : i32}
// ASYNC-NEXT:    gpu.barrier
// ASYNC:         nvgpu.device_async_copy
func.func @row_tile(%u: memref<?x4x?xbf16>, %out: memref<16xbf16>, %len: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : bf16
  scf.forall (%bi) in (2) {
    scf.forall (%t) in (4) {
      %chunks = arith.ceildivui %len, %c16 : index
      scf.for %k = %c0 to %chunks step %c1 {
        %t0 = arith.muli %k, %c16 : index
        %rest = arith.subi %len, %t0 : index
        %size = arith.minui %rest, %c16 : index
        %tile = memref.subview %u[%bi, 0, %t0] [1, 4, %size] [1, 1, 1] {mamba.promote}
            : memref<?x4x?xbf16> to memref<4x?xbf16, strided<[?, 1], offset: ?>>
        %row = vector.transfer_read %tile[%t, %c0], %pad
            : memref<4x?xbf16, strided<[?, 1], offset: ?>>, vector<16xbf16>
        vector.transfer_write %row, %out[%c0] {in_bounds = [true]} : vector<16xbf16>, memref<16xbf16>
      }
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// An output tile: each thread writes its row into shared memory; after the
// last write a barrier and a copy spread over the threads store the valid
// part of the tile to global memory.
// CHECK-LABEL: func @output_tile
// CHECK:       %[[SMEM:.*]] = memref.alloc() {alignment = 16 : i64} : memref<4x24xbf16, #gpu.address_space<workgroup>>
// CHECK:       vector.transfer_write %{{.*}}, %[[SMEM]][%{{.*}}, %c0] {in_bounds = [true]}
// CHECK-NEXT:  gpu.barrier
// CHECK:       scf.for
// CHECK:         scf.if
// CHECK:           %[[V:.*]] = memref.load %[[SMEM]]
// CHECK:           memref.store %[[V]], %{{.*}} : memref<4x?xbf16, strided<[?, 1], offset: ?>>
// Without an input tile in the loop, a trailing barrier protects the buffer
// from the next iteration's writes.
// CHECK:       gpu.barrier
func.func @output_tile(%y: memref<?x4x?xbf16>, %v: vector<16xbf16>, %len: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.forall (%bi) in (2) {
    scf.forall (%t) in (4) {
      %chunks = arith.ceildivui %len, %c16 : index
      scf.for %k = %c0 to %chunks step %c1 {
        %t0 = arith.muli %k, %c16 : index
        %rest = arith.subi %len, %t0 : index
        %size = arith.minui %rest, %c16 : index
        %tile = memref.subview %y[%bi, 0, %t0] [1, 4, %size] [1, 1, 1] {mamba.promote}
            : memref<?x4x?xbf16> to memref<4x?xbf16, strided<[?, 1], offset: ?>>
        vector.transfer_write %v, %tile[%t, %c0]
            : vector<16xbf16>, memref<4x?xbf16, strided<[?, 1], offset: ?>>
      }
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A staged tile is copied in or out, not both.
func.func @read_and_written(%B: memref<2x4xf16>, %v: vector<4xf16>, %out: memref<4xf16>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      // expected-error @+1 {{marked for promotion is both read and written}}
      %b = memref.subview %B[0, 0] [2, 4] [1, 1] {mamba.promote} : memref<2x4xf16> to memref<2x4xf16, strided<[4, 1]>>
      vector.transfer_write %v, %b[%c0, %c0] {in_bounds = [true]} : vector<4xf16>, memref<2x4xf16, strided<[4, 1]>>
      %r = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true]} : memref<2x4xf16, strided<[4, 1]>>, vector<4xf16>
      vector.transfer_write %r, %out[%c0] {in_bounds = [true]} : vector<4xf16>, memref<4xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// One staged layout serves one direction of access.
func.func @two_directions(%B: memref<4x4xf16>, %out: memref<4xf16>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      %b = memref.subview %B[0, 0] [4, 4] [1, 1] {mamba.promote} : memref<4x4xf16> to memref<4x4xf16, strided<[4, 1]>>
      %r = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true]} : memref<4x4xf16, strided<[4, 1]>>, vector<4xf16>
      // expected-error @+1 {{accesses a tile marked for promotion along another dimension than its other accesses}}
      %c = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<4x4xf16, strided<[4, 1]>>, vector<4xf16>
      %s = arith.addf %r, %c : vector<4xf16>
      vector.transfer_write %s, %out[%c0] {in_bounds = [true]} : vector<4xf16>, memref<4xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// The copies of a block's tiles go between one pair of barriers, after the
// last tile is taken: a read of an earlier tile before that would see the
// buffer before its copy.
func.func @read_before_last_tile(%B: memref<2x3xf16>, %C: memref<2x3xf16>, %out: memref<2xf16>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  scf.forall (%i) in (1) {
    scf.forall (%t) in (32) {
      %b = memref.subview %B[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
      // expected-error @+1 {{reads a tile marked for promotion before every tile of its block is taken}}
      %rb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<2x3xf16, strided<[3, 1]>>, vector<2xf16>
      %c = memref.subview %C[0, 0] [2, 3] [1, 1] {mamba.promote} : memref<2x3xf16> to memref<2x3xf16, strided<[3, 1]>>
      %rc = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<2x3xf16, strided<[3, 1]>>, vector<2xf16>
      %s = arith.addf %rb, %rc : vector<2xf16>
      vector.transfer_write %s, %out[%c0] {in_bounds = [true]} : vector<2xf16>, memref<2xf16>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
