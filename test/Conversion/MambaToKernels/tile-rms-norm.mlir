// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 -mamba-map-forall-to-gpu | FileCheck %s --check-prefix=GPU
// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm | FileCheck %s --check-prefix=AUTO

// A block per row (rows on the grid's x = L and y = b), 64 threads, each
// keeping its columns t, t + 64 and t + 128 of the 160 in registers: the
// residual added in f32 and the stream written (the third column only by
// the threads it exists for), the weight read before the reduction, the
// sum of squares reduced over the warp with shuffles and over the two
// warps through shared memory after a barrier, then the registers
// normalized: the row is read once.
// CHECK-LABEL: func.func @norm_residual
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?x160xbf16> to memref<?x?x160xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x160xbf16>
// CHECK-DAG:  %[[R:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x160xf32>
// CHECK:      scf.forall (%[[L:.*]], %[[B:.*]]) in (%{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK-NOT:      scf.for
// CHECK:          %[[C2:.*]] = arith.addi %[[T]], %c128
// CHECK:          %[[IN2:.*]] = arith.cmpi ult, %[[C2]]
// CHECK:          %[[COL2:.*]] = arith.minui %[[C2]], %c159
// CHECK:          memref.load %[[X]][%[[B]], %[[L]], %[[COL2]]]
// CHECK:          arith.addf
// CHECK:          scf.if %[[IN2]] {
// CHECK-NEXT:       memref.store %{{.*}}, %[[R]][%[[B]], %[[L]], %[[COL2]]]
// CHECK:          math.fma
// CHECK-COUNT-5:  gpu.shuffle xor
// CHECK:          memref.alloc() {alignment = 16 : i64} : memref<2xf32, #gpu.address_space<workgroup>>
// CHECK:          gpu.barrier
// CHECK:          math.rsqrt
// CHECK-NOT:      memref.load %[[R]]
// CHECK-COUNT-3:  memref.store %{{.*}}, %[[Y]]
// CHECK:      } {mapping = [#gpu.thread<x>]}
// CHECK:      } {mapping = [#gpu.block<x>, #gpu.block<y>]}
// CHECK:      bufferization.to_tensor %[[Y]]
// CHECK:      bufferization.to_tensor %[[R]]
// CHECK-NOT:  mamba.rms_norm
// GPU-LABEL: func.func @norm_residual
// GPU: gpu.launch
// GPU: gpu.barrier
func.func @norm_residual(%x: tensor<?x?x160xbf16>, %w: tensor<160xbf16>, %r: tensor<?x?x160xf32>) -> (tensor<?x?x160xbf16>, tensor<?x?x160xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x?x160xbf16>, tensor<160xbf16>, tensor<?x?x160xf32>) -> (tensor<?x?x160xbf16>, tensor<?x?x160xf32>)
  return %y, %ro : tensor<?x?x160xbf16>, tensor<?x?x160xf32>
}

// -----

// Decode rows ([b, D]): one grid dimension, no stream result; eps
// reaches the kernel.
// CHECK-LABEL: func.func @norm_rows
// CHECK:      scf.forall (%[[ROW:.*]]) in (%{{.*}}) {
// CHECK:        memref.load %{{.*}}[%[[ROW]], %{{.*}}] : memref<?x64xf32>
// CHECK:        arith.constant 9.99999997E-7 : f32
// CHECK:        math.rsqrt
// CHECK:      } {mapping = [#gpu.block<x>]}
func.func @norm_rows(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = mamba.rms_norm %x, %w eps(1.0e-06) : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Rows longer than eight columns per thread stride over the features and
// read the stream back for the normalization.
// CHECK-LABEL: func.func @norm_long
// CHECK:      scf.forall (%[[ROW:.*]]) in (%{{.*}}) {
// CHECK:        scf.for
// CHECK:          memref.store %{{.*}} : memref<?x1000xf32>
// CHECK:        gpu.barrier
// CHECK:        scf.for
// CHECK:          memref.load %{{.*}}[%[[ROW]], %{{.*}}] : memref<?x1000xf32>
// CHECK:      } {mapping = [#gpu.block<x>]}
func.func @norm_long(%x: tensor<?x1000xf32>, %w: tensor<1000xf32>, %r: tensor<?x1000xf32>) -> (tensor<?x1000xf32>, tensor<?x1000xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x1000xf32>, tensor<1000xf32>, tensor<?x1000xf32>) -> (tensor<?x1000xf32>, tensor<?x1000xf32>)
  return %y, %ro : tensor<?x1000xf32>, tensor<?x1000xf32>
}

// -----

// The automatic block of prefill rows ([b, L, D], many rows): a thread per
// eight features (2.8b's 2560: 320 threads, ten warps), each keeping its
// columns t, t + 320, ..., t + 2240 in registers, the row read once. A
// threads-per-block option still wins: 64 threads leave 40 columns each,
// past the registers, so the row is read in strided loops.
// AUTO-LABEL: func.func @norm_prefill_rows
// AUTO-DAG:   %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x2560xbf16>
// AUTO:       scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %{{.*}}) {
// AUTO:         scf.forall (%[[T:.*]]) in (320) {
// AUTO-NOT:       scf.for
// AUTO:           arith.addi %[[T]], %c2240
// AUTO-NOT:       arith.addi %[[T]]
// AUTO:           memref.alloc() {alignment = 16 : i64} : memref<10xf32, #gpu.address_space<workgroup>>
// AUTO:           math.rsqrt
// AUTO-COUNT-8:   memref.store %{{.*}}, %[[Y]]
// AUTO-NOT:       memref.store
// AUTO:       } {mapping = [#gpu.thread<x>]}
// CHECK-LABEL: func.func @norm_prefill_rows
// CHECK:        scf.forall (%{{.*}}) in (64) {
// CHECK:          scf.for
// CHECK:          gpu.barrier
// CHECK:          scf.for
func.func @norm_prefill_rows(%x: tensor<?x?x2560xbf16>, %w: tensor<2560xbf16>, %r: tensor<?x?x2560xf32>) -> (tensor<?x?x2560xbf16>, tensor<?x?x2560xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x?x2560xbf16>, tensor<2560xbf16>, tensor<?x?x2560xf32>) -> (tensor<?x?x2560xbf16>, tensor<?x?x2560xf32>)
  return %y, %ro : tensor<?x?x2560xbf16>, tensor<?x?x2560xf32>
}

// -----

// The automatic block of decode rows ([b, D], a row per sequence, too few
// blocks to fill the GPU) keeps a thread per two features: 2560 features
// want 1280 threads, clamped to 1024, each keeping its columns t, t + 1024
// and t + 2048 in registers.
// AUTO-LABEL: func.func @norm_decode_rows
// AUTO-DAG:   %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x2560xbf16>
// AUTO:       scf.forall (%{{.*}}) in (%{{.*}}) {
// AUTO:         scf.forall (%[[T:.*]]) in (1024) {
// AUTO-NOT:       scf.for
// AUTO:           arith.addi %[[T]], %c2048
// AUTO-NOT:       arith.addi %[[T]]
// AUTO:           memref.alloc() {alignment = 16 : i64} : memref<32xf32, #gpu.address_space<workgroup>>
// AUTO:           math.rsqrt
// AUTO-COUNT-3:   memref.store %{{.*}}, %[[Y]]
// AUTO-NOT:       memref.store
// AUTO:       } {mapping = [#gpu.thread<x>]}
func.func @norm_decode_rows(%x: tensor<?x2560xbf16>, %w: tensor<2560xbf16>, %r: tensor<?x2560xf32>) -> (tensor<?x2560xbf16>, tensor<?x2560xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x2560xbf16>, tensor<2560xbf16>, tensor<?x2560xf32>) -> (tensor<?x2560xbf16>, tensor<?x2560xf32>)
  return %y, %ro : tensor<?x2560xbf16>, tensor<?x2560xf32>
}
