// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 -mamba-map-forall-to-gpu | FileCheck %s --check-prefix=GPU

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
