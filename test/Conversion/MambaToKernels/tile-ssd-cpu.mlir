// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-cpu -canonicalize -cse | FileCheck %s

// H = 2 heads of P = 8 channels, one group of N = 4 states: a block of one
// thread per (head, sequence) keeps the head's state on the stack as N
// rows of the P channels (a row is one state of every channel), zeroed at
// the start. Per position: dt gets softplus, the head's scalar decay
// exp(dt A[h]); B and C are staged as f32 rows; x is one vector of the
// channels; per state n the row is decayed plus (dt x) B[n] (an FMA) and
// y accumulates row * C[n] (another), so y is stored as one vector.
// CHECK-LABEL: func.func @ssd
// CHECK:       %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x2x8xf32>
// CHECK:       scf.forall (%[[H:.*]], %[[BATCH:.*]]) in (2, %{{.*}}) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[S:.*]] = memref.alloca() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK:           %[[BROW:.*]] = memref.alloca() {alignment = 64 : i64} : memref<4xf32>
// CHECK:           %[[CROW:.*]] = memref.alloca() {alignment = 64 : i64} : memref<4xf32>
// CHECK:           scf.for %[[N0:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT:        vector.store %{{.*}}, %[[S]][%[[N0]], %c0] : memref<4x8xf32>, vector<8xf32>
// CHECK:           scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:             math.log1p
// CHECK:             %[[DECAY:.*]] = vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK:             vector.store %{{.*}}, %[[BROW]][%c0] : memref<4xf32>, vector<4xf32>
// CHECK:             vector.store %{{.*}}, %[[CROW]][%c0] : memref<4xf32>, vector<4xf32>
// CHECK:             %[[X:.*]] = vector.transfer_read %{{.*}}[%[[BATCH]], %[[T]], %[[H]], %c0]{{.*}} : memref<?x?x2x8xf32>, vector<8xf32>
// CHECK:             %[[DTX:.*]] = arith.mulf %{{.*}}, %[[X]] : vector<8xf32>
// CHECK:             %[[OUT:.*]] = scf.for %[[N:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<8xf32>) {
// CHECK-NEXT:          %[[ROW:.*]] = vector.load %[[S]][%[[N]], %c0] : memref<4x8xf32>, vector<8xf32>
// CHECK-NEXT:          %[[DECAYED:.*]] = arith.mulf %[[DECAY]], %[[ROW]] : vector<8xf32>
// CHECK-NEXT:          %[[BN:.*]] = memref.load %[[BROW]][%[[N]]]
// CHECK-NEXT:          %[[BV:.*]] = vector.broadcast %[[BN]]
// CHECK-NEXT:          %[[NEXT:.*]] = vector.fma %[[DTX]], %[[BV]], %[[DECAYED]] : vector<8xf32>
// CHECK-NEXT:          vector.store %[[NEXT]], %[[S]][%[[N]], %c0]
// CHECK-NEXT:          %[[CN:.*]] = memref.load %[[CROW]][%[[N]]]
// CHECK-NEXT:          %[[CV:.*]] = vector.broadcast %[[CN]]
// CHECK-NEXT:          %[[SUM:.*]] = vector.fma %[[NEXT]], %[[CV]], %[[ACC]] : vector<8xf32>
// CHECK-NEXT:          scf.yield %[[SUM]]
// CHECK:             vector.transfer_write %[[OUT]], %[[Y]][%[[BATCH]], %[[T]], %[[H]], %c0] {in_bounds = [true]} : vector<8xf32>, memref<?x?x2x8xf32>
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
// stack state and the final states are written from it, each transposed
// element by element once per sequence; D per channel (a vector) and the
// gate finish y.
// CHECK-LABEL: func.func @ssd_options
// CHECK:           %[[S:.*]] = memref.alloca() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK:           scf.for %[[P0:.*]] = %c0 to %c8 step %c1 {
// CHECK-NEXT:        scf.for %[[N0:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT:          %[[H0:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %[[P0]], %[[N0]]] : tensor<?x2x8x4xf32>
// CHECK-NEXT:          memref.store %[[H0]], %[[S]][%[[N0]], %[[P0]]]
// CHECK:           %[[D:.*]] = vector.transfer_read %{{.*}} : memref<2x8xf32>, vector<8xf32>
// CHECK:           scf.for %[[T:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:             tensor.extract %{{.*}}[%{{.*}}, %[[T]]] : tensor<?x?xi32>
// CHECK:             %[[NEW:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:        scf.if %[[NEW]] {
// CHECK:             arith.addf
// CHECK:             arith.maximumf %{{.*}}, %cst{{.*}} : f32
// CHECK:             arith.minimumf %{{.*}}, %cst{{.*}} : f32
// CHECK:             %[[X:.*]] = arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK:             %[[OUT:.*]] = scf.for
// CHECK:             vector.fma %[[D]], %[[X]], %[[OUT]] : vector<8xf32>
// CHECK:             math.exp2 %{{.*}} : vector<8xf32>
// CHECK:             vector.transfer_write %{{.*}} : vector<8xbf16>, memref<?x?x2x8xbf16>
// CHECK:           scf.for %[[P1:.*]] = %c0 to %c8 step %c1 {
// CHECK-NEXT:        scf.for %[[N1:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT:          %[[LAST:.*]] = memref.load %[[S]][%[[N1]], %[[P1]]]
// CHECK-NEXT:          memref.store %[[LAST]], %{{.*}}[%{{.*}}, %{{.*}}, %[[P1]], %[[N1]]] : memref<?x2x8x4xf32>
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
