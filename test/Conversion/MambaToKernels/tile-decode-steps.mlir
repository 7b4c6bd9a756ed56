// RUN: mamba-opt %s -split-input-file -mamba-tile-decode-steps | FileCheck %s

// A thread per (batch, channel): the window is read whole before the new
// one is written (the state may be updated in place).
// CHECK-LABEL: func.func @conv_step
// CHECK-DAG:  %[[S:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x96x4xbf16> to memref<?x96x4xbf16>
// CHECK-DAG:  %[[NEW:.*]] = memref.alloc(%{{.*}}) : memref<?x96x4xbf16>
// CHECK:      scf.forall (%[[BLK:.*]], %[[B:.*]]) in (%{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (128) {
// CHECK:          scf.if
// CHECK-COUNT-3:    memref.load %[[S]][%[[B]], %{{.*}}, %{{.*}}]
// CHECK-NOT:        memref.store
// CHECK-COUNT-4:    math.fma
// CHECK-COUNT-4:    memref.store %{{.*}}, %[[NEW]]
// CHECK:            arith.divf {{.*}} fastmath<afn>
// CHECK-NOT:  mamba.conv_state_update
func.func @conv_step(%s: tensor<?x96x4xbf16>, %x: tensor<?x96xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>) {
  %y, %n = mamba.conv_state_update %s, %x, %w bias(%b) activation(silu) : (tensor<?x96x4xbf16>, tensor<?x96xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>)
  return %y, %n : tensor<?x96xbf16>, tensor<?x96x4xbf16>
}

// -----

// N = 16: one thread per channel, the 16 states as one vector, no shuffle.
// CHECK-LABEL: func.func @ssm_step
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (128) {
// CHECK:          vector.transfer_read {{.*}} : memref<?x200x16xf32>, vector<16xf32>
// CHECK:          math.exp2 %{{.*}} : vector<16xf32>
// CHECK:          vector.fma
// CHECK:          vector.transfer_write {{.*}} : vector<16xf32>, memref<?x200x16xf32>
// CHECK-NOT:      gpu.shuffle
// CHECK:          scf.if
// CHECK:            memref.store
// CHECK-NOT:  mamba.selective_state_update
func.func @ssm_step(%s: tensor<?x200x16xf32>, %x: tensor<?x200xf32>, %dt: tensor<?x200xf32>, %A: tensor<200x16xf32>, %B: tensor<?x1x16xf32>, %C: tensor<?x1x16xf32>, %D: tensor<200xf32>, %z: tensor<?x200xf32>, %bias: tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) delta_softplus : (tensor<?x200x16xf32>, tensor<?x200xf32>, tensor<?x200xf32>, tensor<200x16xf32>, tensor<?x1x16xf32>, tensor<?x1x16xf32>, tensor<200xf32>, tensor<?x200xf32>, tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>)
  return %y, %n : tensor<?x200xf32>, tensor<?x200x16xf32>
}

// -----

// N = 64: four threads of 16 states per channel, 32 channels per block, y
// summed over the four lanes with two shuffles.
// CHECK-LABEL: func.func @ssm_step_n64
// CHECK:        scf.forall (%{{.*}}) in (128) {
// CHECK:          vector.transfer_read {{.*}} : memref<?x96x64xf32>, vector<16xf32>
// CHECK-COUNT-2:  gpu.shuffle xor
// CHECK-NOT:      gpu.shuffle
func.func @ssm_step_n64(%s: tensor<?x96x64xf32>, %x: tensor<?x96xbf16>, %dt: tensor<?x96xbf16>, %A: tensor<96x64xf32>, %B: tensor<?x2x64xbf16>, %C: tensor<?x2x64xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x64xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<?x96x64xf32>, tensor<?x96xbf16>, tensor<?x96xbf16>, tensor<96x64xf32>, tensor<?x2x64xbf16>, tensor<?x2x64xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x64xf32>)
  return %y, %n : tensor<?x96xbf16>, tensor<?x96x64xf32>
}
