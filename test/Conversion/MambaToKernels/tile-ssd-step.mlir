// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-step -canonicalize -cse | FileCheck %s

// mamba2-130m's head size (P = 64, N = 128) for 4 heads: a channel spreads
// its 128 states over 8 lanes of 16; 128 threads hold 16 channels, so 256
// channels take 16 blocks per batch row. Channel c is head c / 64, channel
// c % 64 of it; its group is head / 4 (one group). dt is the head's (bias,
// softplus, clamps), A the head's broadcast to the lane's 16 states. The
// lane writes its 16 new states; y is summed over the 8 lanes (three xor
// shuffles), gets D x and the gate, and lane 0 writes it.
// CHECK-LABEL: func.func @step
// CHECK:      scf.forall (%[[BLK:.*]], %[[B:.*]]) in (16, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (128) {
// CHECK:          %[[C:.*]] = arith.select
// CHECK-DAG:      %[[H:.*]] = arith.divui %[[C]], %c64
// CHECK-DAG:      %[[P:.*]] = arith.remui %[[C]], %c64
// CHECK-DAG:      %[[LANE:.*]] = arith.remui %[[T]], %c8
// CHECK-DAG:      %[[FIRST:.*]] = arith.muli %[[LANE]], %c16
// CHECK:          arith.maximumf
// CHECK:          arith.minimumf
// CHECK:          vector.transfer_read %{{.*}}[%[[B]], %[[H]], %[[P]], %[[FIRST]]]
// CHECK:          vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK:          math.exp2 %{{.*}} : vector<16xf32>
// CHECK:          vector.transfer_write %{{.*}}, %{{.*}}[%[[B]], %[[H]], %[[P]], %[[FIRST]]]
// CHECK-COUNT-3:  gpu.shuffle  xor
// CHECK:          memref.store %{{.*}}, %{{.*}}[%[[B]], %[[H]], %[[P]]] : memref<?x4x64xbf16>
func.func @step(%s: tensor<?x4x64x128xf32>, %x: tensor<?x4x64xbf16>, %dt: tensor<?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x1x128xbf16>, %C: tensor<?x1x128xbf16>, %D: tensor<4xf32>, %z: tensor<?x4x64xbf16>, %bias: tensor<4xf32>) -> (tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {dt_min = 0.001 : f64, dt_max = 0.5 : f64} : (tensor<?x4x64x128xf32>, tensor<?x4x64xbf16>, tensor<?x4xbf16>, tensor<4xf32>, tensor<?x1x128xbf16>, tensor<?x1x128xbf16>, tensor<4xf32>, tensor<?x4x64xbf16>, tensor<4xf32>) -> (tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>)
  return %y, %n : tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>
}
