// RUN: mamba-opt %s -split-input-file -mamba-decompose-mixer | FileCheck %s

// A Mamba-2 block (H = 8 heads of P = 16, G = 2 groups of N = 16) with
// every optional bias and its prefill states: in_proj's rows are z, x, B, C
// and dt in that order (weight and bias alike), the conv's rows x, B and C;
// each part of xBC gets its own channels-last conv; x, B and C reach the
// SSD scan as [b, L, H, P] / [b, L, G, N] views with D, the time-step bias,
// the softplus, the chunk size and the dt limit; the scan's output is
// normalized per group of E / G = 64 features, gated by z, then projected.
// CHECK-LABEL: func @mixer2_all_biases
// CHECK-SAME: (%[[H:.*]]: tensor<?x?x64xf32>, %[[WIN:.*]]: tensor<328x64xf32>, %[[BIN:.*]]: tensor<328xf32>, %[[WCONV:.*]]: tensor<192x4xf32>, %[[BCONV:.*]]: tensor<192xf32>, %[[DTB:.*]]: tensor<8xf32>, %[[ALOG:.*]]: tensor<8xf32>, %[[D:.*]]: tensor<8x16xf32>, %[[WNORM:.*]]: tensor<128xf32>, %[[WOUT:.*]]: tensor<64x128xf32>, %[[BOUT:.*]]: tensor<64xf32>)
// CHECK:      %[[WZ:.*]] = tensor.extract_slice %[[WIN]][0, 0] [128, 64]
// CHECK:      %[[BZ:.*]] = tensor.extract_slice %[[BIN]][0] [128]
// CHECK:      %[[Z:.*]] = mamba.linear %[[H]], %[[WZ]] bias(%[[BZ]]) : (tensor<?x?x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<?x?x128xf32>
// CHECK:      %[[WX:.*]] = tensor.extract_slice %[[WIN]][128, 0] [128, 64]
// CHECK:      %[[XIN:.*]] = mamba.linear %[[H]], %[[WX]]
// CHECK-DAG:  %[[CWX:.*]] = tensor.extract_slice %[[WCONV]][0, 0] [128, 4]
// CHECK-DAG:  %[[CBX:.*]] = tensor.extract_slice %[[BCONV]][0] [128]
// CHECK:      %[[X:.*]], %[[SX:.*]] = mamba.causal_conv1d %[[XIN]], %[[CWX]] bias(%[[CBX]]) activation(silu) channels_last : (tensor<?x?x128xf32>, tensor<128x4xf32>, tensor<128xf32>) -> (tensor<?x?x128xf32>, tensor<?x128x4xf32>)
// CHECK:      %[[WB:.*]] = tensor.extract_slice %[[WIN]][256, 0] [32, 64]
// CHECK:      %[[BIN_:.*]] = mamba.linear %[[H]], %[[WB]]
// CHECK-DAG:  %[[CWB:.*]] = tensor.extract_slice %[[WCONV]][128, 0] [32, 4]
// CHECK:      %[[B:.*]], %[[SB:.*]] = mamba.causal_conv1d %[[BIN_]], %[[CWB]] bias(%{{.*}}) activation(silu) channels_last
// CHECK:      %[[WC:.*]] = tensor.extract_slice %[[WIN]][288, 0] [32, 64]
// CHECK:      %[[CIN:.*]] = mamba.linear %[[H]], %[[WC]]
// CHECK-DAG:  %[[CWC:.*]] = tensor.extract_slice %[[WCONV]][160, 0] [32, 4]
// CHECK:      %[[C:.*]], %[[SC:.*]] = mamba.causal_conv1d %[[CIN]], %[[CWC]] bias(%{{.*}}) activation(silu) channels_last
// CHECK:      %[[WDT:.*]] = tensor.extract_slice %[[WIN]][320, 0] [8, 64]
// CHECK:      %[[DT:.*]] = mamba.linear %[[H]], %[[WDT]] bias(%{{.*}}) : (tensor<?x?x64xf32>, tensor<8x64xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
// CHECK:      %[[X4:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] {{.*}} : tensor<?x?x128xf32> into tensor<?x?x8x16xf32>
// CHECK:      %[[B4:.*]] = tensor.expand_shape %[[B]] {{.*}} into tensor<?x?x2x16xf32>
// CHECK:      %[[C4:.*]] = tensor.expand_shape %[[C]] {{.*}} into tensor<?x?x2x16xf32>
// CHECK:      %[[A:.*]] = linalg.map ins(%[[ALOG]]
// CHECK:      %[[Y:.*]], %[[S:.*]] = mamba.ssd_scan %[[X4]], %[[DT]], %[[A]], %[[B4]], %[[C4]] D(%[[D]]) dt_bias(%[[DTB]]) dt_softplus {chunk_size = 64 : i64, dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-03 : f64}
// CHECK:      %[[Y3:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : tensor<?x?x8x16xf32> into tensor<?x?x128xf32>
// CHECK:      %[[N:.*]] = mamba.rms_norm_gated %[[Y3]], %[[WNORM]] z(%[[Z]]) {eps = 9.9999999999999995E-7 : f64, group_size = 64 : i64}
// CHECK:      %[[OUT:.*]] = mamba.linear %[[N]], %[[WOUT]] bias(%[[BOUT]])
// CHECK:      return %[[OUT]], %[[SX]], %[[SB]], %[[SC]], %[[S]]
func.func @mixer2_all_biases(
    %h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %b_in: tensor<328xf32>,
    %w_conv: tensor<192x4xf32>, %b_conv: tensor<192xf32>,
    %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8x16xf32>,
    %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>, %b_out: tensor<64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
        tensor<?x32x4xf32>, tensor<?x8x16x16xf32>) {
  %out, %cx, %cb, %cc, %s = mamba.mixer2 %h in_proj(%w_in, %b_in)
      conv(%w_conv, %b_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d)
      norm(%w_norm) out_proj(%w_out, %b_out)
      {n_groups = 2 : i64, chunk_size = 64 : i64, norm_eps = 1.0e-6 : f64,
       dt_min = 0.001 : f64, dt_max = 0.1 : f64}
      : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<328xf32>,
         tensor<192x4xf32>, tensor<192xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<8x16xf32>, tensor<128xf32>, tensor<64x128xf32>,
         tensor<64xf32>)
      -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
          tensor<?x32x4xf32>, tensor<?x8x16x16xf32>)
  return %out, %cx, %cb, %cc, %s : tensor<?x?x64xf32>, tensor<?x128x4xf32>,
      tensor<?x32x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>
}

// -----

// Without states the conv and the scan return none.
// CHECK-LABEL: func @mixer2_no_states
// CHECK-COUNT-3: mamba.causal_conv1d {{.*}} channels_last : (tensor<1x5x{{[0-9]+}}xbf16>, tensor<{{[0-9]+}}x4xbf16>) -> tensor<1x5x{{[0-9]+}}xbf16>
// CHECK:         mamba.ssd_scan {{.*}} D(%{{.*}}) dt_bias(%{{.*}}) dt_softplus : ({{.*}}) -> tensor<1x5x8x16xbf16>
// CHECK:         mamba.rms_norm_gated {{.*}} {group_size = 128 : i64}
func.func @mixer2_no_states(
    %h: tensor<1x5x64xbf16>, %w_in: tensor<296x64xbf16>,
    %w_conv: tensor<160x4xbf16>, %dt_bias: tensor<8xf32>,
    %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xbf16>,
    %w_out: tensor<64x128xbf16>) -> tensor<1x5x64xbf16> {
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias)
      A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 1 : i64}
      : (tensor<1x5x64xbf16>, tensor<296x64xbf16>, tensor<160x4xbf16>,
         tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xbf16>,
         tensor<64x128xbf16>) -> tensor<1x5x64xbf16>
  return %out : tensor<1x5x64xbf16>
}

// -----

// The decode step: the same parts on [b, features] rows, one
// conv_state_update per part with its window, the state update.
// CHECK-LABEL: func @mixer2_step
// CHECK-SAME: (%[[H:.*]]: tensor<?x64xf32>, %[[CX:.*]]: tensor<?x128x4xf32>, %[[CB:.*]]: tensor<?x32x4xf32>, %[[CC:.*]]: tensor<?x32x4xf32>, %[[S:.*]]: tensor<?x8x16x16xf32>
// CHECK:      %[[Z:.*]] = mamba.linear %[[H]], %{{.*}} : (tensor<?x64xf32>, tensor<128x64xf32>) -> tensor<?x128xf32>
// CHECK:      %[[XIN:.*]] = mamba.linear %[[H]]
// CHECK:      %[[X:.*]], %[[NCX:.*]] = mamba.conv_state_update %[[CX]], %[[XIN]], %{{.*}} activation(silu)
// CHECK:      %[[B:.*]], %[[NCB:.*]] = mamba.conv_state_update %[[CB]]
// CHECK:      %[[C:.*]], %[[NCC:.*]] = mamba.conv_state_update %[[CC]]
// CHECK:      %[[DT:.*]] = mamba.linear %[[H]], %{{.*}} -> tensor<?x8xf32>
// CHECK:      %[[X3:.*]] = tensor.expand_shape %[[X]] {{.*}} into tensor<?x8x16xf32>
// CHECK:      %[[Y:.*]], %[[NS:.*]] = mamba.ssd_state_update %[[S]], %[[X3]], %[[DT]], %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) dt_bias(%{{.*}}) dt_softplus
// CHECK:      %[[Y2:.*]] = tensor.collapse_shape %[[Y]] {{.*}} into tensor<?x128xf32>
// CHECK:      %[[N:.*]] = mamba.rms_norm_gated %[[Y2]], %{{.*}} z(%[[Z]]) {group_size = 64 : i64}
// CHECK:      %[[OUT:.*]] = mamba.linear %[[N]]
// CHECK:      return %[[OUT]], %[[NCX]], %[[NCB]], %[[NCC]], %[[NS]]
func.func @mixer2_step(
    %h: tensor<?x64xf32>, %cx: tensor<?x128x4xf32>, %cb: tensor<?x32x4xf32>,
    %cc: tensor<?x32x4xf32>, %s: tensor<?x8x16x16xf32>,
    %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>,
    %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>,
    %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>)
    -> (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
        tensor<?x32x4xf32>, tensor<?x8x16x16xf32>) {
  %out, %cx1, %cb1, %cc1, %s1 = mamba.mixer2_step %h, %cx, %cb, %cc, %s
      in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d)
      norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64}
      : (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
         tensor<?x32x4xf32>, tensor<?x8x16x16xf32>, tensor<328x64xf32>,
         tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
         tensor<128xf32>, tensor<64x128xf32>)
      -> (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
          tensor<?x32x4xf32>, tensor<?x8x16x16xf32>)
  return %out, %cx1, %cb1, %cc1, %s1 : tensor<?x64xf32>, tensor<?x128x4xf32>,
      tensor<?x32x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>
}
