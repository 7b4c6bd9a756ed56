// RUN: mamba-opt %s -split-input-file -mamba-tile-causal-conv1d=threads-per-block=64 | FileCheck %s

// A block per (64 threads x 8 bf16 timesteps, channel, batch element): a
// thread reads the 3 inputs before its 8 as scalars, its own with one
// 16-byte load when L is a multiple of 8 (else guarded scalars), does four
// unrolled taps per output with bias and SiLU in f32 and writes them with
// one 16-byte store; the first four threads of each row's first block
// write the last window.
// CHECK-LABEL: func.func @conv
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x96x?xbf16> to memref<?x96x?xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x96x?xbf16>
// CHECK-DAG:  %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x96x4xbf16>
// CHECK:      arith.ceildivui %{{.*}}, %c512
// CHECK:      %[[TILES:.*]] = arith.maxui
// CHECK:      scf.forall (%[[TILE:.*]], %[[C:.*]], %[[B:.*]]) in (%[[TILES]], %{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK:          %[[L:.*]] = memref.dim %[[X]], %c2
// CHECK:          %[[REM:.*]] = arith.remui %[[L]], %c8
// CHECK:          %[[ALIGNED:.*]] = arith.cmpi eq, %[[REM]]
// CHECK:          scf.if
// CHECK-COUNT-3:    memref.load %[[X]]
// CHECK:            scf.if %[[ALIGNED]] -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:              vector.load %[[X]][%[[B]], %[[C]], %{{.*}}] {alignment = 16 : i64} : memref<?x96x?xbf16>, vector<8xbf16>
// CHECK:            } else {
// CHECK-COUNT-8:      memref.load %[[X]]
// CHECK:            }
// CHECK-COUNT-4:    math.fma
// CHECK:            arith.divf {{.*}} fastmath<afn>
// CHECK-COUNT-28:   math.fma
// CHECK:            scf.if %[[ALIGNED]] {
// CHECK:              vector.store %{{.*}}, %[[Y]][%[[B]], %[[C]], %{{.*}}] {alignment = 16 : i64} : memref<?x96x?xbf16>, vector<8xbf16>
// CHECK:            } else {
// CHECK-COUNT-8:      memref.store %{{.*}}, %[[Y]][%[[B]], %[[C]], %{{.*}}]
// CHECK:            }
// CHECK:          scf.if
// CHECK:            memref.store %{{.*}}, %[[S]][%[[B]], %[[C]], %[[T]]]
// CHECK:      } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
// CHECK-NOT:  mamba.causal_conv1d
func.func @conv(%x: tensor<?x96x?xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) : (tensor<?x96x?xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>)
  return %y, %s : tensor<?x96x?xbf16>, tensor<?x96x4xbf16>
}

// -----

// No bias, no activation, no final window; f32 vectors of four.
// CHECK-LABEL: func.func @conv_plain
// CHECK:      vector.load {{.*}} : memref<1x8x10xf32>, vector<4xf32>
// CHECK-COUNT-12: math.fma
// CHECK-NOT:  arith.divf
// CHECK:      vector.store {{.*}} : memref<1x8x10xf32>, vector<4xf32>
// CHECK:      } {mapping = [#gpu.thread<x>]}
func.func @conv_plain(%x: tensor<1x8x10xf32>, %w: tensor<8x3xf32>) -> tensor<1x8x10xf32> {
  %y = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, tensor<8x3xf32>) -> tensor<1x8x10xf32>
  return %y : tensor<1x8x10xf32>
}

// -----

// channels_last ([b, L, d], Mamba-2's): a thread per channel (consecutive
// threads, consecutive channels: coalesced), a block per (64 channels here,
// 32 time steps, batch element). The window before the block's first step is
// read guarded, then the steps run with the last three inputs carried; the
// block that reaches the end writes the final window.
// CHECK-LABEL: func.func @channels_last
// CHECK:      scf.forall (%[[CB:.*]], %[[TILE:.*]], %[[B:.*]]) in (%{{.*}}, %{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (64) {
// CHECK:          %[[T0:.*]] = arith.muli %[[TILE]], %c32
// CHECK:          scf.for %[[S:.*]] = %[[T0]] to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32) {
// CHECK-COUNT-4:    math.fma
// CHECK:            memref.store %{{.*}}, %{{.*}}[%[[B]], %[[S]], %{{.*}}] : memref<?x?x200xbf16>
// CHECK:          }
// CHECK:          scf.if
// CHECK-COUNT-4:    memref.store %{{.*}}, %{{.*}}[%[[B]], %{{.*}}, %{{.*}}] : memref<?x200x4xbf16>
func.func @channels_last(%x: tensor<?x?x200xbf16>, %w: tensor<200x4xbf16>, %b: tensor<200xbf16>) -> (tensor<?x?x200xbf16>, tensor<?x200x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) channels_last : (tensor<?x?x200xbf16>, tensor<200x4xbf16>, tensor<200xbf16>) -> (tensor<?x?x200xbf16>, tensor<?x200x4xbf16>)
  return %y, %s : tensor<?x?x200xbf16>, tensor<?x200x4xbf16>
}
