// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-scan -canonicalize -cse | FileCheck %s

// The per-step recurrence on the GPU: mamba2-130m's head size (P = 64,
// N = 128: a channel's 128 states over 8 lanes of 16) for 4 heads, so 16
// channels a block of 128 threads and 16 blocks per batch row. The lane's
// states start from the initial states and walk the sequence; where
// seq_idx changes they restart at zero; per position dt is the head's
// (bias, softplus, clamps), y is summed over the 8 lanes by three xor
// shuffles, gets D x and the gate, and lane 0 writes it. The final states
// are written once, after the walk.
// CHECK-LABEL: func.func @scan
// CHECK:      scf.forall (%{{.*}}, %[[B:.*]]) in (16, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (128) {
// CHECK:          %[[H:.*]] = arith.divui %{{.*}}, %c64
// CHECK:          %[[P:.*]] = arith.remui %{{.*}}, %c64
// CHECK:          %[[FIRST:.*]] = arith.muli %{{.*}}, %c16
// CHECK:          %[[START:.*]] = vector.transfer_read %{{.*}}[%[[B]], %[[H]], %[[P]], %[[FIRST]]]
// CHECK:          %[[LAST:.*]] = scf.for %[[POS:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[S:.*]] = %[[START]]) -> (vector<16xf32>) {
// CHECK:            arith.cmpi ne
// CHECK:            %[[RESET:.*]] = arith.select %{{.*}}, %{{.*}}, %[[S]] : vector<16xf32>
// CHECK:            arith.maximumf
// CHECK:            arith.minimumf
// CHECK:            math.exp2 %{{.*}} : vector<16xf32>
// CHECK-COUNT-3:    gpu.shuffle  xor
// CHECK:            memref.store %{{.*}}, %{{.*}}[%[[B]], %[[POS]], %[[H]], %[[P]]] : memref<?x?x4x64xbf16>
// CHECK:            scf.yield
// CHECK:          }
// CHECK:          vector.transfer_write %[[LAST]], %{{.*}}[%[[B]], %[[H]], %[[P]], %[[FIRST]]]
func.func @scan(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>, %D: tensor<4x64xf32>, %z: tensor<?x?x4x64xbf16>, %bias: tensor<4xf32>, %h0: tensor<?x4x64x128xf32>, %seq: tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) initial_states(%h0) seq_idx(%seq) dt_softplus {chunk_size = 64 : i64, dt_min = 0.001 : f64, dt_max = 0.5 : f64} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>, tensor<4x64xf32>, tensor<?x?x4x64xbf16>, tensor<4xf32>, tensor<?x4x64x128xf32>, tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>)
  return %y, %s : tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>
}
