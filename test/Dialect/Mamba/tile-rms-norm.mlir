// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-rms-norm=threads-per-block=64 -mamba-map-forall-to-gpu | FileCheck %s --check-prefix=GPU

// A block per row (rows on the grid's x = L and y = b), 64 threads striding
// over the features; the residual is added in f32, the stream written and
// read back, the sum of squares reduced over the warp with shuffles and over
// the two warps through shared memory after a barrier.
// CHECK-LABEL: func.func @norm_residual
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?x64xbf16> to memref<?x?x64xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x64xbf16>
// CHECK-DAG:  %[[R:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x64xf32>
// CHECK:      scf.forall (%[[L:.*]], %[[B:.*]]) in (%{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK:          scf.for %[[COL:.*]] = %[[T]] to %{{.*}} step %{{.*}} iter_args
// CHECK:            memref.load %[[X]][%[[B]], %[[L]], %[[COL]]]
// CHECK:            arith.addf
// CHECK:            memref.store %{{.*}}, %[[R]][%[[B]], %[[L]], %[[COL]]]
// CHECK:            math.fma
// CHECK-COUNT-5:  gpu.shuffle xor
// CHECK:          memref.alloc() {alignment = 16 : i64} : memref<2xf32, #gpu.address_space<workgroup>>
// CHECK:          gpu.barrier
// CHECK:          math.rsqrt
// CHECK:          scf.for
// CHECK:            memref.load %[[R]][%[[B]], %[[L]], %{{.*}}]
// CHECK:            arith.truncf %{{.*}} : f32 to bf16
// CHECK:            memref.store %{{.*}}, %[[Y]]
// CHECK:      } {mapping = [#gpu.thread<x>]}
// CHECK:      } {mapping = [#gpu.block<x>, #gpu.block<y>]}
// CHECK:      bufferization.to_tensor %[[Y]]
// CHECK:      bufferization.to_tensor %[[R]]
// CHECK-NOT:  mamba.rms_norm
// GPU-LABEL: func.func @norm_residual
// GPU: gpu.launch
// GPU: gpu.barrier
func.func @norm_residual(%x: tensor<?x?x64xbf16>, %w: tensor<64xbf16>, %r: tensor<?x?x64xf32>) -> (tensor<?x?x64xbf16>, tensor<?x?x64xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x?x64xbf16>, tensor<64xbf16>, tensor<?x?x64xf32>) -> (tensor<?x?x64xbf16>, tensor<?x?x64xf32>)
  return %y, %ro : tensor<?x?x64xbf16>, tensor<?x?x64xf32>
}

// -----

// Decode rows ([b, D]): one grid dimension; without a stream result the
// second pass reads x again; eps reaches the kernel.
// CHECK-LABEL: func.func @norm_rows
// CHECK:      scf.forall (%[[ROW:.*]]) in (%{{.*}}) {
// CHECK:        arith.constant 9.99999997E-7 : f32
// CHECK:        scf.for
// CHECK:          memref.load %{{.*}}[%[[ROW]], %{{.*}}] : memref<?x64xf32>
// CHECK:      } {mapping = [#gpu.block<x>]}
func.func @norm_rows(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = mamba.rms_norm %x, %w eps(1.0e-06) : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
