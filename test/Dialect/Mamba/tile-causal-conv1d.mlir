// RUN: mamba-opt %s -split-input-file -mamba-tile-causal-conv1d=timesteps-per-block=64 | FileCheck %s

// A block per (64 timesteps, channel, batch element), a thread per timestep:
// four unrolled taps reading zeros before the start, bias and SiLU in f32;
// the first four threads of each row's first block write the last window.
// CHECK-LABEL: func.func @conv
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x96x?xbf16> to memref<?x96x?xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x96x?xbf16>
// CHECK-DAG:  %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x96x4xbf16>
// CHECK:      %[[TILES:.*]] = arith.maxui
// CHECK:      scf.forall (%[[TILE:.*]], %[[C:.*]], %[[B:.*]]) in (%[[TILES]], %{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK:          scf.if
// CHECK-COUNT-4:    math.fma
// CHECK:            arith.divf {{.*}} fastmath<afn>
// CHECK:            memref.store %{{.*}}, %[[Y]][%[[B]], %[[C]], %{{.*}}]
// CHECK:          scf.if
// CHECK:            memref.store %{{.*}}, %[[S]][%[[B]], %[[C]], %[[T]]]
// CHECK:      } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
// CHECK-NOT:  mamba.causal_conv1d
func.func @conv(%x: tensor<?x96x?xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) : (tensor<?x96x?xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>)
  return %y, %s : tensor<?x96x?xbf16>, tensor<?x96x4xbf16>
}

// -----

// No bias, no activation, no final window.
// CHECK-LABEL: func.func @conv_plain
// CHECK-COUNT-3: math.fma
// CHECK-NOT:  arith.divf
// CHECK:      memref.store
// CHECK-NOT:  scf.if
// CHECK:      } {mapping = [#gpu.thread<x>]}
func.func @conv_plain(%x: tensor<1x8x10xf32>, %w: tensor<8x3xf32>) -> tensor<1x8x10xf32> {
  %y = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, tensor<8x3xf32>) -> tensor<1x8x10xf32>
  return %y : tensor<1x8x10xf32>
}
