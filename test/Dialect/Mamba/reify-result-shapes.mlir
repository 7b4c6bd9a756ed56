// RUN: mamba-opt %s -split-input-file -resolve-ranked-shaped-type-result-dims -canonicalize -cse | FileCheck %s

// Every mamba op answers tensor.dim of its results from its operands' dims,
// so shape queries after a decomposition do not keep the ops' results alive.

// CHECK-LABEL: func @scan_dims
// CHECK-SAME: (%[[U:[a-z0-9]+]]: tensor<?x?x?xf32>, %{{.*}}: tensor<?x?x?xf32>, %[[A:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[U]], %[[C2]]
// CHECK-DAG: %[[D:.*]] = tensor.dim %[[U]], %[[C1]]
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[A]], %[[C1]]
// CHECK: return %[[L]], %[[D]], %[[N]]
func.func @scan_dims(%u: tensor<?x?x?xf32>, %dt: tensor<?x?x?xf32>,
                     %A: tensor<?x?xf32>, %B: tensor<?x?x?x?xf32>,
                     %C: tensor<?x?x?x?xf32>) -> (index, index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C
      : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>,
         tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
      -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  %l = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  %d = tensor.dim %h, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %h, %c2 : tensor<?x?x?xf32>
  return %l, %d, %n : index, index, index
}

// -----

// The GEMM's output width comes from the weight, its rows from x.
// CHECK-LABEL: func @linear_dims
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x?xf32>, %[[W:[a-z0-9]+]]: tensor<?x?xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[ROWS:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG: %[[COLS:.*]] = tensor.dim %[[W]], %[[C0]]
// CHECK: return %[[ROWS]], %[[COLS]]
func.func @linear_dims(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %y = mamba.linear %x, %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = tensor.dim %y, %c0 : tensor<?x?xf32>
  %c = tensor.dim %y, %c1 : tensor<?x?xf32>
  return %r, %c : index, index
}

// -----

// CHECK-LABEL: func @embedding_norm_conv_dims
// CHECK-SAME: (%[[IDS:[a-z0-9]+]]: tensor<?x?xi32>, %[[T:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK-DAG: %[[LEN:.*]] = tensor.dim %[[IDS]], %c1
// CHECK-DAG: %[[WIDTH:.*]] = tensor.dim %[[T]], %c1
// CHECK: return %[[LEN]], %[[WIDTH]], %[[WIDTH]], %[[LEN]]
func.func @embedding_norm_conv_dims(%ids: tensor<?x?xi32>, %t: tensor<?x?xf32>,
                                    %w: tensor<?xf32>, %cw: tensor<?x4xf32>)
    -> (index, index, index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %h = mamba.embedding %ids, %t : (tensor<?x?xi32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
  %y, %r = mamba.rms_norm %h, %w : (tensor<?x?x?xf32>, tensor<?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  %c = mamba.causal_conv1d %r, %cw : (tensor<?x?x?xf32>, tensor<?x4xf32>) -> tensor<?x?x?xf32>
  %0 = tensor.dim %h, %c1 : tensor<?x?x?xf32>
  %1 = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  %2 = tensor.dim %r, %c2 : tensor<?x?x?xf32>
  %3 = tensor.dim %c, %c1 : tensor<?x?x?xf32>
  return %0, %1, %2, %3 : index, index, index, index
}

// -----

// The final state of a channels-last conv takes its channels from x's last
// dimension.
// CHECK-LABEL: func @channels_last_conv_dims
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x?x?xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[X]], %c1
// CHECK-DAG: %[[D:.*]] = tensor.dim %[[X]], %c2
// CHECK: return %[[L]], %[[B]], %[[D]]
func.func @channels_last_conv_dims(%x: tensor<?x?x?xf32>, %cw: tensor<?x4xf32>)
    -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %y, %s = mamba.causal_conv1d %x, %cw channels_last : (tensor<?x?x?xf32>, tensor<?x4xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x4xf32>)
  %0 = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %1 = tensor.dim %s, %c0 : tensor<?x?x4xf32>
  %2 = tensor.dim %s, %c1 : tensor<?x?x4xf32>
  return %0, %1, %2 : index, index, index
}

// -----

// CHECK-LABEL: func @decode_step_dims
// CHECK-SAME: (%[[S:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[X:[a-z0-9]+]]: tensor<?x?xf32>, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[CS:[a-z0-9]+]]: tensor<?x?x?xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[S]], %c2
// CHECK-DAG: %[[K:.*]] = tensor.dim %[[CS]], %c2
// CHECK: return %[[B]], %[[N]], %[[K]]
func.func @decode_step_dims(%s: tensor<?x?x?xf32>, %x: tensor<?x?xf32>,
                            %dt: tensor<?x?xf32>, %A: tensor<?x?xf32>,
                            %B: tensor<?x?x?xf32>, %C: tensor<?x?x?xf32>,
                            %cs: tensor<?x?x?xf32>, %cw: tensor<?x?xf32>)
    -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %y, %ns = mamba.selective_state_update %s, %x, %dt, %A, %B, %C
      : (tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>,
         tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>)
  %cy, %ncs = mamba.conv_state_update %cs, %x, %cw
      : (tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>)
  %0 = tensor.dim %y, %c0 : tensor<?x?xf32>
  %1 = tensor.dim %ns, %c2 : tensor<?x?x?xf32>
  %2 = tensor.dim %ncs, %c2 : tensor<?x?x?xf32>
  return %0, %1, %2 : index, index, index
}

// -----

// CHECK-LABEL: func @mixer_dims
// CHECK-SAME: (%[[H:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[L:.*]] = tensor.dim %[[H]], %c1
// CHECK: return %[[L]]
func.func @mixer_dims(%h: tensor<?x?x64xf32>, %w_in: tensor<256x64xf32>,
                      %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>,
                      %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>,
                      %a_log: tensor<128x16xf32>, %d: tensor<128xf32>,
                      %w_out: tensor<64x128xf32>) -> index {
  %c1 = arith.constant 1 : index
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x)
      dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<?x?x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>,
         tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>)
      -> tensor<?x?x64xf32>
  %l = tensor.dim %o, %c1 : tensor<?x?x64xf32>
  return %l : index
}

// -----

// The SSD's output is x's shape; its final states take b, H, P from x and N
// from B.
// CHECK-LABEL: func @ssd_dims
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %{{.*}}: tensor<?x?x?xf32>, %{{.*}}: tensor<?xf32>, %[[B:[a-z0-9]+]]: tensor<?x?x?x?xf32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG: %[[P:.*]] = tensor.dim %[[X]], %[[C3]]
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[B]], %[[C3]]
// CHECK: return %[[L]], %[[P]], %[[N]]
func.func @ssd_dims(%x: tensor<?x?x?x?xf32>, %dt: tensor<?x?x?xf32>,
                    %A: tensor<?xf32>, %B: tensor<?x?x?x?xf32>,
                    %C: tensor<?x?x?x?xf32>) -> (index, index, index) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C
      : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?xf32>,
         tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
      -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
  %l = tensor.dim %y, %c1 : tensor<?x?x?x?xf32>
  %p = tensor.dim %s, %c2 : tensor<?x?x?x?xf32>
  %n = tensor.dim %s, %c3 : tensor<?x?x?x?xf32>
  return %l, %p, %n : index, index, index
}

// -----

// CHECK-LABEL: func @ssd_step_and_norm_dims
// CHECK-SAME: (%[[S:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[X:[a-z0-9]+]]: tensor<?x?x?xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[S]], %[[C3]]
// CHECK: return %[[B]], %[[N]], %[[B]]
func.func @ssd_step_and_norm_dims(
    %s: tensor<?x?x?x?xf32>, %x: tensor<?x?x?xf32>, %dt: tensor<?x?xf32>,
    %A: tensor<?xf32>, %B: tensor<?x?x?xf32>, %C: tensor<?x?x?xf32>,
    %w: tensor<?xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C
      : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>,
         tensor<?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>)
      -> (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>)
  %g = mamba.rms_norm_gated %y, %w {group_size = 1 : i64}
      : (tensor<?x?x?xf32>, tensor<?xf32>) -> tensor<?x?x?xf32>
  %yb = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %nn = tensor.dim %n, %c3 : tensor<?x?x?x?xf32>
  %gb = tensor.dim %g, %c0 : tensor<?x?x?xf32>
  return %yb, %nn, %gb : index, index, index
}

// -----

// A Mamba-2 block's output takes b and L from hidden, its states b.
// CHECK-LABEL: func @mixer2_dims
// CHECK-SAME: (%[[H:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[H]], %c0
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[H]], %c1
// CHECK: return %[[L]], %[[B]]
func.func @mixer2_dims(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %out, %cx, %cb, %cc, %s = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>)
  %0 = tensor.dim %out, %c1 : tensor<?x?x64xf32>
  %1 = tensor.dim %s, %c0 : tensor<?x8x16x16xf32>
  return %0, %1 : index, index
}
