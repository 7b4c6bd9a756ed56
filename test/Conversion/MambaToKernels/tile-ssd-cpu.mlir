// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-cpu -canonicalize -cse | FileCheck %s

// H = 2 heads of P = 8 channels, one group of N = 4 states: a block of one
// thread per (head, sequence) keeps the head's 8 x 4 state on the stack,
// zeroed at the start; per position dt gets softplus, then the head's
// scalar decay exp(dt A[h]); per channel its row of 4 states is one
// vector, decayed, plus dt x B (an FMA), then y = S . C.
// CHECK-LABEL: func.func @ssd
// CHECK:       %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x2x8xf32>
// CHECK:       scf.forall (%[[H:.*]], %[[BATCH:.*]]) in (2, %{{.*}}) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[S:.*]] = memref.alloca() : memref<8x4xf32>
// CHECK:           scf.for %[[P0:.*]] = %c0 to %c8 step %c1 {
// CHECK-NEXT:        vector.store %{{.*}}, %[[S]][%[[P0]], %c0] : memref<8x4xf32>, vector<4xf32>
// CHECK:           scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:             math.log1p
// CHECK:             math.exp
// CHECK:             scf.for %[[P:.*]] = %c0 to %c8 step %c1 {
// CHECK:               vector.load %[[S]][%[[P]], %c0] : memref<8x4xf32>, vector<4xf32>
// CHECK:               vector.fma
// CHECK:               vector.reduction <add>, %{{.*}} fastmath<reassoc>
// CHECK:               vector.store %{{.*}}, %[[S]][%[[P]], %c0]
// CHECK:               memref.store %{{.*}}, %[[Y]][%[[BATCH]], %[[T]], %[[H]], %[[P]]]
// CHECK:       } {mapping = [#gpu.block<x>, #gpu.block<y>]}
func.func @ssd(%x: tensor<?x?x2x8xf32>, %dt: tensor<?x?x2xf32>,
               %A: tensor<2xf32>, %B: tensor<?x?x1x4xf32>,
               %C: tensor<?x?x1x4xf32>) -> tensor<?x?x2x8xf32> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C dt_softplus {chunk_size = 8 : i64}
      : (tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<2xf32>,
         tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>) -> tensor<?x?x2x8xf32>
  return %y : tensor<?x?x2x8xf32>
}

// -----

// seq_idx: where it differs from the previous position's the state is
// zeroed; the dt limits clamp after the bias; the initial states fill the
// stack state and the final states are written from it; D per channel and
// the gate finish y.
// CHECK-LABEL: func.func @ssd_options
// CHECK:           scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:             tensor.extract %{{.*}}[%{{.*}}, %[[T]]] : tensor<?x?xi32>
// CHECK:             %[[NEW:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:        scf.if %[[NEW]] {
// CHECK:             arith.addf
// CHECK:             arith.maximumf %{{.*}}, %cst{{.*}} : f32
// CHECK:             arith.minimumf %{{.*}}, %cst{{.*}} : f32
// CHECK:               math.fma
// CHECK:               math.exp2
// CHECK:           scf.for %[[P:.*]] = %c0 to %c8 step %c1 {
// CHECK:             vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %[[P]], %c0] {in_bounds = [true]} : vector<4xf32>, memref<?x2x8x4xf32>
func.func @ssd_options(%x: tensor<?x?x2x8xbf16>, %dt: tensor<?x?x2xbf16>,
                       %A: tensor<2xf32>, %B: tensor<?x?x2x4xbf16>,
                       %C: tensor<?x?x2x4xbf16>, %D: tensor<2x8xf32>,
                       %z: tensor<?x?x2x8xbf16>, %bias: tensor<2xf32>,
                       %h0: tensor<?x2x8x4xf32>, %seq: tensor<?x?xi32>)
    -> (tensor<?x?x2x8xbf16>, tensor<?x2x8x4xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias)
      initial_states(%h0) seq_idx(%seq) dt_softplus
      {dt_min = 0.001 : f64, dt_max = 0.5 : f64}
      : (tensor<?x?x2x8xbf16>, tensor<?x?x2xbf16>, tensor<2xf32>,
         tensor<?x?x2x4xbf16>, tensor<?x?x2x4xbf16>, tensor<2x8xf32>,
         tensor<?x?x2x8xbf16>, tensor<2xf32>, tensor<?x2x8x4xf32>,
         tensor<?x?xi32>)
      -> (tensor<?x?x2x8xbf16>, tensor<?x2x8x4xf32>)
  return %y, %s : tensor<?x?x2x8xbf16>, tensor<?x2x8x4xf32>
}

// -----

// The decode step: one position, a block per (head, sequence); each
// channel's row of states read from the step's state, advanced and written
// to the new state, y = S . C.
// CHECK-LABEL: func.func @step
// CHECK:       %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x2x8xf32>
// CHECK:       %[[NEW:.*]] = memref.alloc(%{{.*}}) : memref<?x2x8x4xf32>
// CHECK:       scf.forall (%[[H:.*]], %[[BATCH:.*]]) in (2, %{{.*}}) {
// CHECK:             math.exp
// CHECK:           scf.for %[[P:.*]] = %c0 to %c8 step %c1 {
// CHECK:             vector.transfer_read %{{.*}}[%[[BATCH]], %[[H]], %[[P]], %c0]
// CHECK:             vector.fma
// CHECK:             vector.reduction <add>, %{{.*}} fastmath<reassoc>
// CHECK:             vector.transfer_write %{{.*}}, %[[NEW]][%[[BATCH]], %[[H]], %[[P]], %c0]
// CHECK:             memref.store %{{.*}}, %[[Y]][%[[BATCH]], %[[H]], %[[P]]]
func.func @step(%s: tensor<?x2x8x4xf32>, %x: tensor<?x2x8xf32>,
                %dt: tensor<?x2xf32>, %A: tensor<2xf32>,
                %B: tensor<?x1x4xf32>, %C: tensor<?x1x4xf32>)
    -> (tensor<?x2x8xf32>, tensor<?x2x8x4xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C dt_softplus
      : (tensor<?x2x8x4xf32>, tensor<?x2x8xf32>, tensor<?x2xf32>,
         tensor<2xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>)
      -> (tensor<?x2x8xf32>, tensor<?x2x8x4xf32>)
  return %y, %n : tensor<?x2x8xf32>, tensor<?x2x8x4xf32>
}
