// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=4 chunk-length=2" -canonicalize -cse | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=2 chunk-length=2" -canonicalize -cse | FileCheck %s --check-prefix=SPLIT
// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=4 chunk-length=2 sequence-splits=3" -canonicalize -cse | FileCheck %s --check-prefix=SEQ
// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=2 chunk-length=4" -canonicalize -cse | FileCheck %s --check-prefix=SHARED
// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-scan="channels-per-block=4 states-per-thread=1 chunk-length=2" -canonicalize -cse | FileCheck %s --check-prefix=UNEVEN

// Every option of the scan, bf16 activations, 4 channels per block and all
// N = 4 states in one thread: the tile structure, the fused discretization,
// the staged B/C chunks and the guarded stores.
// CHECK-LABEL: func @all_options
// CHECK-DAG:   %[[LOG2E:.*]] = arith.constant dense<1.44269502> : vector<4xf32>
// CHECK-DAG:   %[[U:.*]] = bufferization.to_buffer %arg0 read_only
// CHECK-DAG:   %[[A:.*]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG:   %[[B:.*]] = bufferization.to_buffer %arg3 read_only
// CHECK-DAG:   %[[C:.*]] = bufferization.to_buffer %arg4 read_only
// CHECK-DAG:   %[[BATCH:.*]] = tensor.dim %arg0, %c0
// CHECK-DAG:   %[[LEN:.*]] = tensor.dim %arg0, %c2
// CHECK:       %[[Y:.*]] = memref.alloc(%[[BATCH]], %[[LEN]]) : memref<?x8x?xbf16>
// CHECK:       %[[H:.*]] = memref.alloc(%[[BATCH]]) : memref<?x8x4xf32>
// CHECK:       scf.forall (%[[CB:.*]], %[[BI:.*]]) in (2, %[[BATCH]]) {
// CHECK:         %[[FIRST:.*]] = arith.muli %[[CB]], %c4
// The block's channels all read group first_channel / (d / G).
// CHECK:         %[[GROUP:.*]] = arith.divui %[[FIRST]], %c4
// CHECK:         scf.forall (%[[TID:.*]]) in (4) {
// CHECK:           %[[CH:.*]] = arith.addi %[[FIRST]], %[[TID]]
// CHECK:           %[[ACTIVE:.*]] = arith.cmpi ult, %[[CH]], %c8
// CHECK:           %[[CC:.*]] = arith.select %[[ACTIVE]], %[[CH]], %c7
// CHECK:           %[[ROW:.*]] = arith.subi %[[CC]], %[[FIRST]]
// CHECK:           %[[AROW:.*]] = vector.transfer_read %[[A]][%[[CC]], %c0]
// CHECK:           %[[A2:.*]] = arith.mulf %[[AROW]], %[[LOG2E]] : vector<4xf32>
// The bias is scaled by log2 e once per thread (the softplus works in
// base 2).
// CHECK:           %[[BIAS2:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:           %[[H0:.*]] = vector.transfer_read %{{.*}}[%[[BI]], %[[CC]], %c0]
// CHECK:           %[[HN:.*]] = scf.for %[[K:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[STATE:.*]] = %[[H0]]) -> (vector<4xf32>) {
// CHECK:             %[[T0:.*]] = arith.muli %[[K]], %c2
// CHECK:             %[[SIZE:.*]] = arith.minui
// CHECK:             %[[BS:.*]] = memref.subview %[[B]][%[[BI]], %[[GROUP]], 0, %[[T0]]] [1, 1, 4, %[[SIZE]]] [1, 1, 1, 1] {mamba.promote}
// CHECK:             %[[CS:.*]] = memref.subview %[[C]][%[[BI]], %[[GROUP]], 0, %[[T0]]] [1, 1, 4, %[[SIZE]]] [1, 1, 1, 1] {mamba.promote}
// The block's [channels, chunk] tiles of u, delta, z and y; a thread uses
// the row of its clamped channel.
// CHECK:             %[[NCH:.*]] = arith.minui %{{.*}}, %c4
// CHECK:             %[[US:.*]] = memref.subview %[[U]][%[[BI]], %[[FIRST]], %[[T0]]] [1, %[[NCH]], %[[SIZE]]] [1, 1, 1] {mamba.promote}
// CHECK-COUNT-2:     memref.subview {{.*}} {mamba.promote} : memref<?x8x?xbf16>
// CHECK:             %[[YS:.*]] = memref.subview %[[Y]][%[[BI]], %[[FIRST]], %[[T0]]] [1, %[[NCH]], %[[SIZE]]] [1, 1, 1] {mamba.promote}
// CHECK:             vector.transfer_read %[[US]][%[[ROW]], %c0], %{{.*}} : memref<?x?xbf16, strided<[?, 1], offset: ?>>, vector<2xbf16>
// CHECK:             vector.transfer_read %[[BS]][%c0, %{{.*}}], %{{.*}} {in_bounds = [true], permutation_map = #{{.*}}} : memref<4x?xbf16, strided<[?, 1], offset: ?>>, vector<4xbf16>
// Softplus of delta + bias with the hardware exp2 and log2 (16-bit
// activations) on x log2 e = fma(delta, log2 e, bias log2 e), x itself
// (x log2 e * ln 2) above 20, zero past the end of the sequence.
// CHECK:             %[[X2:.*]] = math.fma %{{.*}}, %cst{{.*}}, %[[BIAS2]] : f32
// CHECK:             %[[E:.*]] = math.exp2 %[[X2]] fastmath<afn> : f32
// CHECK:             %[[E1:.*]] = arith.addf %[[E]], %cst{{.*}} : f32
// CHECK:             %[[SOFT2:.*]] = math.log2 %[[E1]] fastmath<afn> : f32
// CHECK:             %[[LARGE:.*]] = arith.cmpf ogt, %[[X2]], %cst{{.*}} : f32
// CHECK:             %[[SEL:.*]] = arith.select %[[LARGE]], %[[X2]], %[[SOFT2]] : f32
// CHECK:             %[[SP:.*]] = arith.mulf %[[SEL]], %cst{{.*}} : f32
// CHECK:             %[[DT:.*]] = arith.select %{{.*}}, %[[SP]], %cst{{.*}} : f32
// CHECK:             %[[DTA:.*]] = arith.mulf %{{.*}}, %[[A2]] : vector<4xf32>
// CHECK:             %[[DECAY:.*]] = math.exp2 %[[DTA]] : vector<4xf32>
// CHECK:             %[[NEXT:.*]] = vector.fma %[[DECAY]], %[[STATE]], %{{.*}} : vector<4xf32>
// y = C . h: a multiply, then FMAs.
// CHECK:             arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-COUNT-3:     math.fma
// The D skip, then the SiLU(z) gate as h + h tanh(h), h = z / 2, with the
// hardware tanh.
// CHECK:             %[[SKIP:.*]] = math.fma
// CHECK:             %[[HALF:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:             %[[TANH:.*]] = llvm.inline_asm "tanh.approx.f32 $0, $1;", "=f,f" %[[HALF]] : (f32) -> f32
// CHECK:             %[[SILU:.*]] = math.fma %[[HALF]], %[[TANH]], %[[HALF]] : f32
// CHECK:             %[[GATED:.*]] = arith.mulf %[[SKIP]], %[[SILU]] : f32
// CHECK:             arith.truncf %[[GATED]] : f32 to bf16
// The second timestep continues from the first one's state.
// CHECK:             vector.fma %{{.*}}, %[[NEXT]], %{{.*}} : vector<4xf32>
// CHECK-NOT:         gpu.shuffle
// y is written by every thread, unguarded (duplicates hold equal values).
// CHECK:             %[[YROW:.*]] = vector.from_elements %{{.*}}, %{{.*}} : vector<2xbf16>
// CHECK-NOT:         scf.if
// CHECK:             vector.transfer_write %[[YROW]], %[[YS]][%[[ROW]], %c0] : vector<2xbf16>, memref<?x?xbf16, strided<[?, 1], offset: ?>>
// CHECK:             scf.yield
// CHECK:           scf.if %[[ACTIVE]] {
// CHECK:             vector.transfer_write %[[HN]], %[[H]][%[[BI]], %[[CC]], %c0] {in_bounds = [true]}
// CHECK:         } {mapping = [#gpu.thread<x>]}
// CHECK:       } {mamba.tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 4, chunk_length = 2>, mapping = [#gpu.block<x>, #gpu.block<y>]}
// CHECK:       bufferization.to_tensor %[[Y]] restrict writable
// CHECK:       bufferization.to_tensor %[[H]] restrict writable

// Two threads per channel own two states each; each owns one of the two
// timesteps of a chunk (see SHARED), and one shuffle per timestep pair
// leaves each with the sum of its own timestep.
// SPLIT-LABEL: func @all_options
// SPLIT:       scf.forall (%{{.*}}) in (8) {
// SPLIT:         %[[LANE:.*]] = arith.remui %{{.*}}, %c2
// SPLIT:         %[[S0:.*]] = arith.muli %[[LANE]], %c2
// SPLIT:         vector.transfer_read %{{.*}}[%{{.*}}, %[[S0]]]{{.*}} vector<2xf32>
// SPLIT:         gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// SPLIT-NOT:     gpu.shuffle
// Each thread writes its own timestep, unguarded.
// SPLIT-NOT:     scf.if
// SPLIT:         vector.transfer_write {{.*}}[%{{.*}}, %[[LANE]]] : vector<1xbf16>, memref<?x?xbf16

// Two threads per channel, chunks of 4 timesteps: each thread owns a slice
// of 2 consecutive timesteps, reads its slice of u, delta and z, computes
// dt and dt * u for it, and hands them to its channel's threads with
// indexed shuffles (timestep k from lane first + k / 2, slot k % 2). The
// partial sums of y are reduced and scattered (keep one half, send the
// other to the partner lane), so the D skip, the gate and the y write are
// done for the thread's own slice only.
// SHARED-LABEL: func @all_options
// SHARED:       scf.forall (%[[TID:.*]]) in (8) {
// SHARED:         %[[LANE:.*]] = arith.remui %[[TID]], %c2
// SHARED:         %[[SLICE:.*]] = arith.muli %[[LANE]], %c2
// SHARED:         %[[WLANE:.*]] = arith.remui %[[TID]], %c32
// SHARED:         %[[FIRST:.*]] = arith.subi %[[WLANE]], %[[LANE]]
// SHARED:         %[[OWNER0:.*]] = arith.index_castui %[[FIRST]] : index to i32
// SHARED:         scf.for
// SHARED:           %[[USL:.*]] = vector.transfer_read %{{.*}}[%[[ROW:.*]], %[[SLICE]]], %{{.*}} : memref<?x?xbf16, strided<[?, 1], offset: ?>>, vector<2xbf16>
// SHARED:           %[[DSL:.*]] = vector.transfer_read %{{.*}}[%[[ROW]], %[[SLICE]]], %{{.*}} : memref<?x?xbf16, strided<[?, 1], offset: ?>>, vector<2xbf16>
// SHARED:           %[[ZSL:.*]] = vector.transfer_read %{{.*}}[%[[ROW]], %[[SLICE]]], %{{.*}} : memref<?x?xbf16, strided<[?, 1], offset: ?>>, vector<2xbf16>
// SHARED:           %[[V0:.*]] = arith.cmpi ult, %[[SLICE]], %[[SIZE:.*]] : index
// SHARED:           math.exp2 %{{.*}} fastmath<afn> : f32
// SHARED:           %[[DT0:.*]] = arith.select %[[V0]], %{{.*}}, %cst{{.*}} : f32
// SHARED:           %[[DTU0:.*]] = arith.mulf %[[DT0]], %{{.*}} : f32
// SHARED:           %[[SLICE1:.*]] = arith.addi %[[SLICE]], %c1 : index
// SHARED:           %[[V1:.*]] = arith.cmpi ult, %[[SLICE1]], %[[SIZE]] : index
// SHARED:           math.exp2 %{{.*}} fastmath<afn> : f32
// SHARED:           %[[DT1:.*]] = arith.select %[[V1]], %{{.*}}, %cst{{.*}} : f32
// SHARED:           %[[DTU1:.*]] = arith.mulf %[[DT1]], %{{.*}} : f32
// Only the owners compute softplus: two per thread and chunk, not four.
// SHARED-NOT:       math.log2
// SHARED:           %[[OWNER1:.*]] = arith.addi %[[OWNER0]], %c1_i32 : i32
// SHARED:           %[[T0:.*]], %{{.*}} = gpu.shuffle  idx %[[DT0]], %[[OWNER0]], %c32_i32 : f32
// SHARED:           %[[TU0:.*]], %{{.*}} = gpu.shuffle  idx %[[DTU0]], %[[OWNER0]], %c32_i32 : f32
// SHARED:           %[[BC0:.*]] = vector.broadcast %[[T0]] : f32 to vector<2xf32>
// SHARED:           arith.mulf %[[BC0]], %{{.*}} : vector<2xf32>
// SHARED:           %[[BU0:.*]] = vector.broadcast %[[TU0]] : f32 to vector<2xf32>
// SHARED:           arith.mulf %[[BU0]], %{{.*}} : vector<2xf32>
// SHARED:           %[[P0:.*]] = math.fma
// SHARED:           gpu.shuffle  idx %[[DT1]], %[[OWNER0]], %c32_i32 : f32
// SHARED:           gpu.shuffle  idx %[[DTU1]], %[[OWNER0]], %c32_i32 : f32
// SHARED:           %[[P1:.*]] = math.fma
// SHARED:           gpu.shuffle  idx %[[DT0]], %[[OWNER1]], %c32_i32 : f32
// SHARED:           gpu.shuffle  idx %[[DTU0]], %[[OWNER1]], %c32_i32 : f32
// SHARED:           %[[P2:.*]] = math.fma
// SHARED:           gpu.shuffle  idx %[[DT1]], %[[OWNER1]], %c32_i32 : f32
// SHARED:           gpu.shuffle  idx %[[DTU1]], %[[OWNER1]], %c32_i32 : f32
// SHARED:           %[[P3:.*]] = math.fma
// SHARED:           %[[BIT:.*]] = arith.andi %[[LANE]], %c1 : index
// SHARED:           %[[UPPER:.*]] = arith.cmpi ne, %[[BIT]], %c0 : index
// SHARED:           %[[KEEP0:.*]] = arith.select %[[UPPER]], %[[P2]], %[[P0]] : f32
// SHARED:           %[[SEND0:.*]] = arith.select %[[UPPER]], %[[P0]], %[[P2]] : f32
// SHARED:           %[[GOT0:.*]], %{{.*}} = gpu.shuffle  xor %[[SEND0]], %c1_i32, %c32_i32 : f32
// SHARED:           %[[Y0:.*]] = arith.addf %[[KEEP0]], %[[GOT0]] : f32
// SHARED:           %[[KEEP1:.*]] = arith.select %[[UPPER]], %[[P3]], %[[P1]] : f32
// SHARED:           %[[SEND1:.*]] = arith.select %[[UPPER]], %[[P1]], %[[P3]] : f32
// SHARED:           %[[GOT1:.*]], %{{.*}} = gpu.shuffle  xor %[[SEND1]], %c1_i32, %c32_i32 : f32
// SHARED:           %[[Y1:.*]] = arith.addf %[[KEEP1]], %[[GOT1]] : f32
// SHARED-NOT:       gpu.shuffle
// SHARED:           math.fma %{{.*}}, %{{.*}}, %[[Y0]] : f32
// SHARED:           llvm.inline_asm "tanh.approx.f32 $0, $1;"
// SHARED:           %[[O0:.*]] = arith.truncf %{{.*}} : f32 to bf16
// SHARED:           math.fma %{{.*}}, %{{.*}}, %[[Y1]] : f32
// SHARED:           llvm.inline_asm "tanh.approx.f32 $0, $1;"
// SHARED:           %[[O1:.*]] = arith.truncf %{{.*}} : f32 to bf16
// SHARED:           %[[YSL:.*]] = vector.from_elements %[[O0]], %[[O1]] : vector<2xbf16>
// SHARED-NOT:       scf.if
// SHARED:           vector.transfer_write %[[YSL]], %{{.*}}[%[[ROW]], %[[SLICE]]] : vector<2xbf16>, memref<?x?xbf16, strided<[?, 1], offset: ?>>
// SHARED:           scf.yield

// Four threads per channel and chunks of 2 timesteps do not split into
// slices: every thread computes every timestep and y is summed with a
// butterfly of two shuffles per timestep, every thread writing the row.
// UNEVEN-LABEL: func @all_options
// UNEVEN:       scf.forall (%{{.*}}) in (16) {
// UNEVEN:         scf.for
// UNEVEN-NOT:       gpu.shuffle  idx
// UNEVEN:           math.log2 %{{.*}} fastmath<afn> : f32
// UNEVEN:           gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// UNEVEN:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// UNEVEN:           math.log2 %{{.*}} fastmath<afn> : f32
// UNEVEN:           gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// UNEVEN:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// UNEVEN-NOT:       gpu.shuffle
// UNEVEN:           vector.transfer_write {{.*}}[%{{.*}}, %c0] : vector<2xbf16>, memref<?x?xbf16
// The sequence split over 3 segments: scratch for the end states and dt
// sums of the first 2 segments, a first kernel over (channel blocks, batch,
// 2 segments) that only scans states (no C, z or y), and a second one over
// 3 segments that folds the earlier segments' end states into its start
// state, scans its segment writing y, and writes the final state from the
// last non-empty segment.
// SEQ-LABEL: func @all_options
// SEQ:       %[[ENDS:.*]] = memref.alloc(%{{.*}}) : memref<?x2x8x4xf32>
// SEQ:       %[[SUMS:.*]] = memref.alloc(%{{.*}}) : memref<?x2x8xf32>
// SEQ:       scf.forall (%{{.*}}, %{{.*}}, %[[SEG1:.*]]) in (2, %{{.*}}, 2) {
// SEQ:         scf.forall
// SEQ:           %[[PASS1:.*]]:2 = scf.for {{.*}} -> (vector<4xf32>, f32) {
// The only scalar FMAs of pass 1 are the softplus' delta * log2 e + bias
// log2 e (a constant operand): no C . h chain, no gate, no y.
// SEQ:             math.fma %{{.*}}, %cst{{.*}}, %{{.*}} : f32
// SEQ-NOT:         math.fma %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}} : f32
// SEQ-NOT:         llvm.inline_asm
// SEQ-NOT:         arith.truncf
// SEQ:           vector.transfer_write %[[PASS1]]#0, %[[ENDS]][%{{.*}}, %[[SEG1]], %{{.*}}, %{{.*}}]
// SEQ:           memref.store %[[PASS1]]#1, %[[SUMS]][%{{.*}}, %[[SEG1]], %{{.*}}]
// SEQ:       scf.forall (%{{.*}}, %{{.*}}, %[[SEG2:.*]]) in (2, %{{.*}}, 3) {
// SEQ:         scf.forall
// SEQ:           %[[START:.*]] = scf.for %[[S:.*]] = %c0 to %[[SEG2]] step %c1 iter_args(%[[H:.*]] = %{{.*}}) -> (vector<4xf32>) {
// SEQ:             %[[SUM:.*]] = memref.load %[[SUMS]][%{{.*}}, %[[S]], %{{.*}}]
// SEQ:             %[[DECAY:.*]] = math.exp2
// SEQ:             %[[END:.*]] = vector.transfer_read %[[ENDS]][%{{.*}}, %[[S]], %{{.*}}, %{{.*}}]
// SEQ:             vector.fma %[[DECAY]], %[[H]], %[[END]]
// SEQ:           scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (vector<4xf32>) {
// SEQ:             math.fma
// SEQ:             vector.transfer_write {{.*}} : vector<2xbf16>
// SEQ:           arith.cmpi eq, %[[SEG2]]
// SEQ:           scf.if
// SEQ:             vector.transfer_write
// SEQ:       memref.dealloc %[[ENDS]]
// SEQ:       memref.dealloc %[[SUMS]]
func.func @all_options(%u: tensor<?x8x?xbf16>, %dt: tensor<?x8x?xbf16>,
    %A: tensor<8x4xf32>, %B: tensor<?x2x4x?xbf16>, %C: tensor<?x2x4x?xbf16>,
    %D: tensor<8xf32>, %z: tensor<?x8x?xbf16>, %bias: tensor<8xf32>,
    %h0: tensor<?x8x4xf32>) -> (tensor<?x8x?xbf16>, tensor<?x8x4xf32>) {
  %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C D(%D) z(%z)
      delta_bias(%bias) initial_state(%h0) delta_softplus
      : (tensor<?x8x?xbf16>, tensor<?x8x?xbf16>, tensor<8x4xf32>,
         tensor<?x2x4x?xbf16>, tensor<?x2x4x?xbf16>, tensor<8xf32>,
         tensor<?x8x?xbf16>, tensor<8xf32>, tensor<?x8x4xf32>)
      -> (tensor<?x8x?xbf16>, tensor<?x8x4xf32>)
  return %y, %h : tensor<?x8x?xbf16>, tensor<?x8x4xf32>
}

// -----

// f32 without options: no conversions, no softplus, no D or gate, a zero
// initial state and no final-state store.
// CHECK-LABEL: func @no_options_f32
// CHECK-NOT:   arith.extf
// CHECK-NOT:   math.log1p
// CHECK:       %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK:       scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<4xf32>)
// CHECK-NOT:   arith.truncf
// CHECK-NOT:   arith.divf
// CHECK:       vector.transfer_write
// CHECK-NOT:   vector.transfer_write
// CHECK:       mapping = [#gpu.block<x>, #gpu.block<y>]
func.func @no_options_f32(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>,
    %A: tensor<8x4xf32>, %B: tensor<2x1x4x16xf32>, %C: tensor<2x1x4x16xf32>)
    -> tensor<2x8x16xf32> {
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>,
         tensor<2x1x4x16xf32>, tensor<2x1x4x16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

// A tiling attribute on the op (set by a tuner) wins over the pass options.
// CHECK-LABEL: func @tiling_attribute
// CHECK:       scf.forall (%{{.*}}) in (16) {
// CHECK:       mamba.tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 4, chunk_length = 1>
func.func @tiling_attribute(%u: tensor<1x32x5xf32>, %dt: tensor<1x32x5xf32>,
    %A: tensor<32x4xf32>, %B: tensor<1x1x4x5xf32>, %C: tensor<1x1x4x5xf32>)
    -> tensor<1x32x5xf32> {
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      {tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 4, chunk_length = 1>}
      : (tensor<1x32x5xf32>, tensor<1x32x5xf32>, tensor<32x4xf32>,
         tensor<1x1x4x5xf32>, tensor<1x1x4x5xf32>) -> tensor<1x32x5xf32>
  return %y : tensor<1x32x5xf32>
}
