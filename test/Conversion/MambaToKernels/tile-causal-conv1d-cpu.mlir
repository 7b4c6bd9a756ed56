// RUN: mamba-opt %s -split-input-file -mamba-tile-causal-conv1d-cpu=timesteps-per-vector=8 -canonicalize -cse | FileCheck %s

// A block per (channel, batch element) row, one thread. The four taps and
// the bias are read once per row (bf16 widened to f32) and broadcast; the
// row's 8-step tiles then loop: a tile whose window lies inside the row
// (tile >= ceil((K - 1) / 8) = 1 and before L / 8; canonicalization turns
// the guarded scalar loads of the read-only x into tensor.extract) takes four unaligned
// vector loads of x, four FMAs, the SiLU and one vector store; the others
// load the 3 + 8 inputs as guarded scalars and store each output guarded.
// The final window: the last four inputs, zero before the row's start.
// CHECK-LABEL: func.func @conv
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x96x?xbf16> to memref<?x96x?xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x96x?xbf16>
// CHECK-DAG:  %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x96x4xbf16>
// CHECK:      scf.forall (%[[C:.*]], %[[B:.*]]) in (96, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (1) {
// CHECK-COUNT-4:  vector.broadcast {{.*}} : f32 to vector<8xf32>
// CHECK:          %[[TILES:.*]] = arith.ceildivui %[[L:.*]], %c8
// CHECK:          %[[LAST:.*]] = arith.divui %[[L]], %c8
// CHECK:          scf.for %[[TILE:.*]] = %c0 to %[[TILES]] step %c1 {
// CHECK:            %[[T0:.*]] = arith.muli %[[TILE]], %c8
// CHECK-DAG:        %[[BEFORE:.*]] = arith.cmpi ult, %[[TILE]], %[[LAST]]
// CHECK-DAG:        %[[AFTER:.*]] = arith.cmpi uge, %[[TILE]], %c1
// CHECK:            %[[INTERIOR:.*]] = arith.andi %[[AFTER]], %[[BEFORE]]
// CHECK:            scf.if %[[INTERIOR]] {
// CHECK-COUNT-4:      vector.load %[[X]][%[[B]], %[[C]], %{{.*}}] : memref<?x96x?xbf16>, vector<8xbf16>
// CHECK-COUNT-4:      vector.fma {{.*}} : vector<8xf32>
// CHECK:              arith.divf {{.*}} : vector<8xf32>
// CHECK:              arith.truncf {{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:              vector.store %{{.*}}, %[[Y]][%[[B]], %[[C]], %[[T0]]] : memref<?x96x?xbf16>, vector<8xbf16>
// CHECK:            } else {
// CHECK-COUNT-11:     tensor.extract %{{.*}}[%[[B]], %[[C]], %{{.*}}] : tensor<?x96x?xbf16>
// CHECK-COUNT-4:      vector.fma {{.*}} : vector<8xf32>
// CHECK-COUNT-8:      memref.store %{{.*}}, %[[Y]]
// CHECK:            }
// CHECK:          }
// CHECK-COUNT-4:  memref.store %{{.*}}, %[[S]][%[[B]], %[[C]], %{{.*}}] : memref<?x96x4xbf16>
func.func @conv(%x: tensor<?x96x?xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) : (tensor<?x96x?xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>)
  return %y, %s : tensor<?x96x?xbf16>, tensor<?x96x4xbf16>
}

// -----

// f32 without bias or activation: the taps alone, no division.
// CHECK-LABEL: func.func @plain
// CHECK:        scf.if
// CHECK-COUNT-3:  vector.load {{.*}} : memref<?x64x?xf32>, vector<8xf32>
// CHECK-COUNT-3:  vector.fma
// CHECK-NOT:      arith.divf
// CHECK:          vector.store
func.func @plain(%x: tensor<?x64x?xf32>, %w: tensor<64x3xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.causal_conv1d %x, %w : (tensor<?x64x?xf32>, tensor<64x3xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

// -----

// channels_last ([b, L, d], Mamba-2's layout): vectors of 16 channels, a
// block per (group of 16 channels, batch element); 40 channels make three
// groups. The taps and the bias are gathered once per block; the time loop
// carries the last K - 1 = 3 input vectors, so each step loads one vector
// of x, takes four FMAs, the SiLU and one store: plain loads and stores for
// a whole group, masked ones for the last, part-filled one. The final
// window: K inputs per channel of the group.
// CHECK-LABEL: func.func @channels_last
// CHECK-DAG:  %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?x40xbf16> to memref<?x?x40xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x40xbf16>
// CHECK-DAG:  %[[S:.*]] = memref.alloc(%{{.*}}) : memref<?x40x4xbf16>
// CHECK:      scf.forall (%[[G:.*]], %[[B:.*]]) in (3, %{{.*}}) {
// CHECK:        %[[FIRST:.*]] = arith.muli %[[G]], %c16
// CHECK:        %[[LEFT:.*]] = arith.subi %c40, %[[FIRST]]
// CHECK:        %[[MASK:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK-COUNT-5: vector.from_elements {{.*}} : vector<16xf32>
// CHECK:        %[[WHOLE:.*]] = arith.cmpi uge, %[[LEFT]], %c16
// CHECK:        scf.if %[[WHOLE]] {
// CHECK:          scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[W0:.*]] = %{{.*}}, %[[W1:.*]] = %{{.*}}, %[[W2:.*]] = %{{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:            %[[IN:.*]] = vector.load %[[X]][%[[B]], %[[T]], %[[FIRST]]] : memref<?x?x40xbf16>, vector<16xbf16>
// CHECK:            %[[INF:.*]] = arith.extf %[[IN]] : vector<16xbf16> to vector<16xf32>
// CHECK-COUNT-4:    vector.fma
// CHECK:            arith.divf {{.*}} : vector<16xf32>
// CHECK:            vector.store %{{.*}}, %[[Y]][%[[B]], %[[T]], %[[FIRST]]] : memref<?x?x40xbf16>, vector<16xbf16>
// CHECK:            scf.yield %[[W1]], %[[W2]], %[[INF]]
// CHECK:          }
// CHECK:        } else {
// CHECK:          scf.for %[[T2:.*]] = %c0
// CHECK:            vector.maskedload %[[X]][%[[B]], %[[T2]], %[[FIRST]]], %[[MASK]]
// CHECK-COUNT-4:    vector.fma
// CHECK:            vector.maskedstore %[[Y]][%[[B]], %[[T2]], %[[FIRST]]], %[[MASK]]
// CHECK:          }
// CHECK:        }
// CHECK:        scf.for
// CHECK-COUNT-4:  memref.store %{{.*}}, %[[S]][%[[B]], %{{.*}}, %{{.*}}] : memref<?x40x4xbf16>
func.func @channels_last(%x: tensor<?x?x40xbf16>, %w: tensor<40x4xbf16>, %b: tensor<40xbf16>) -> (tensor<?x?x40xbf16>, tensor<?x40x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) channels_last : (tensor<?x?x40xbf16>, tensor<40x4xbf16>, tensor<40xbf16>) -> (tensor<?x?x40xbf16>, tensor<?x40x4xbf16>)
  return %y, %s : tensor<?x?x40xbf16>, tensor<?x40x4xbf16>
}
