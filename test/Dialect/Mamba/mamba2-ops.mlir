// The Mamba-2 ops parse, verify and print, in the custom and generic forms.
// RUN: mamba-opt %s | FileCheck %s
// RUN: mamba-opt %s | mamba-opt | FileCheck %s
// RUN: mamba-opt -mlir-print-op-generic %s | mamba-opt | FileCheck %s

// Every optional operand and result of the SSD scan, bf16 activations, D per
// head and channel, a dt limit.
// CHECK-LABEL: func @ssd_scan_all_options
func.func @ssd_scan_all_options(
    %x: tensor<2x37x8x4xbf16>, %dt: tensor<2x37x8xbf16>, %A: tensor<8xf32>,
    %B: tensor<2x37x2x16xbf16>, %C: tensor<2x37x2x16xbf16>,
    %D: tensor<8x4xf32>, %z: tensor<2x37x8x4xbf16>, %bias: tensor<8xf32>,
    %h0: tensor<2x8x4x16xf32>, %seq: tensor<2x37xi32>)
    -> (tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>) {
  // CHECK: mamba.ssd_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) dt_bias(%{{.*}}) initial_states(%{{.*}}) seq_idx(%{{.*}}) dt_softplus {chunk_size = 16 : i64, dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-03 : f64, kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 32, channel_block = 16>}
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias)
      initial_states(%h0) seq_idx(%seq) dt_softplus
      {chunk_size = 16 : i64, dt_min = 0.001 : f64, dt_max = 0.1 : f64,
       kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 32, channel_block = 16>}
      : (tensor<2x37x8x4xbf16>, tensor<2x37x8xbf16>, tensor<8xf32>,
         tensor<2x37x2x16xbf16>, tensor<2x37x2x16xbf16>, tensor<8x4xf32>,
         tensor<2x37x8x4xbf16>, tensor<8xf32>, tensor<2x8x4x16xf32>,
         tensor<2x37xi32>)
      -> (tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>)
  return %y, %s : tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>
}

// The bare scan: the default chunk size is not printed; dynamic b and L.
// CHECK-LABEL: func @ssd_scan_bare
func.func @ssd_scan_bare(%x: tensor<?x?x4x64xf32>, %dt: tensor<?x?x4xf32>,
                         %A: tensor<4xf32>, %B: tensor<?x?x1x128xf32>,
                         %C: tensor<?x?x1x128xf32>, %D: tensor<4xf32>)
    -> tensor<?x?x4x64xf32> {
  // CHECK: mamba.ssd_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) :
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D)
      : (tensor<?x?x4x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>,
         tensor<?x?x1x128xf32>, tensor<?x?x1x128xf32>, tensor<4xf32>)
      -> tensor<?x?x4x64xf32>
  return %y : tensor<?x?x4x64xf32>
}

// CHECK-LABEL: func @ssd_state_update
func.func @ssd_state_update(%s: tensor<2x8x16x32xf32>, %x: tensor<2x8x16xbf16>,
                            %dt: tensor<2x8xbf16>, %A: tensor<8xf32>,
                            %B: tensor<2x2x32xbf16>, %C: tensor<2x2x32xbf16>,
                            %D: tensor<8xf32>, %z: tensor<2x8x16xbf16>,
                            %bias: tensor<8xf32>)
    -> (tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>) {
  // CHECK: mamba.ssd_state_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) dt_bias(%{{.*}}) dt_softplus :
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z)
      dt_bias(%bias) dt_softplus
      : (tensor<2x8x16x32xf32>, tensor<2x8x16xbf16>, tensor<2x8xbf16>,
         tensor<8xf32>, tensor<2x2x32xbf16>, tensor<2x2x32xbf16>,
         tensor<8xf32>, tensor<2x8x16xbf16>, tensor<8xf32>)
      -> (tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>)
  return %y, %n : tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>
}

// CHECK-LABEL: func @rms_norm_gated
func.func @rms_norm_gated(%x: tensor<2x7x128xbf16>, %w: tensor<128xf32>,
                          %z: tensor<2x7x128xbf16>, %v: tensor<?x64xf32>,
                          %wv: tensor<64xf32>)
    -> (tensor<2x7x128xbf16>, tensor<?x64xf32>) {
  // CHECK: mamba.rms_norm_gated %{{.*}}, %{{.*}} z(%{{.*}}) {group_size = 64 : i64}
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64}
      : (tensor<2x7x128xbf16>, tensor<128xf32>, tensor<2x7x128xbf16>)
      -> tensor<2x7x128xbf16>
  // CHECK: mamba.rms_norm_gated %{{.*}}, %{{.*}} {eps = 1.000000e-03 : f64, group_size = 64 : i64}
  %u = mamba.rms_norm_gated %v, %wv {group_size = 64 : i64, eps = 0.001 : f64}
      : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y, %u : tensor<2x7x128xbf16>, tensor<?x64xf32>
}

// The Mamba-2 mixer block with every optional weight and result: H = 8
// heads of P = 16 (E = 128), G = 2 groups of N = 16, so in_proj has
// 2E + 2GN + H = 328 rows and the conv E + 2GN = 192 channels; D per head
// and channel; a dt limit.
// CHECK-LABEL: func @mixer2_all_options
func.func @mixer2_all_options(
    %h: tensor<?x?x64xbf16>, %w_in: tensor<328x64xbf16>, %b_in: tensor<328xbf16>,
    %w_conv: tensor<192x4xbf16>, %b_conv: tensor<192xbf16>,
    %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8x16xf32>,
    %w_norm: tensor<128xbf16>, %w_out: tensor<64x128xbf16>, %b_out: tensor<64xbf16>)
    -> (tensor<?x?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x32x4xbf16>,
        tensor<?x32x4xbf16>, tensor<?x8x16x16xf32>) {
  // CHECK: mamba.mixer2 %{{.*}} in_proj(%{{.*}}, %{{.*}}) conv(%{{.*}}, %{{.*}}) dt_bias(%{{.*}}) A_log(%{{.*}}) D(%{{.*}}) norm(%{{.*}}) out_proj(%{{.*}}, %{{.*}}) {chunk_size = 64 : i64, dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-03 : f64, n_groups = 2 : i64, norm_eps = 9.9999999999999995E-7 : f64}
  %out, %cx, %cb, %cc, %s = mamba.mixer2 %h in_proj(%w_in, %b_in)
      conv(%w_conv, %b_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d)
      norm(%w_norm) out_proj(%w_out, %b_out)
      {n_groups = 2 : i64, chunk_size = 64 : i64, norm_eps = 1.0e-6 : f64,
       dt_min = 0.001 : f64, dt_max = 0.1 : f64}
      : (tensor<?x?x64xbf16>, tensor<328x64xbf16>, tensor<328xbf16>,
         tensor<192x4xbf16>, tensor<192xbf16>, tensor<8xf32>, tensor<8xf32>,
         tensor<8x16xf32>, tensor<128xbf16>, tensor<64x128xbf16>,
         tensor<64xbf16>)
      -> (tensor<?x?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x32x4xbf16>,
          tensor<?x32x4xbf16>, tensor<?x8x16x16xf32>)
  return %out, %cx, %cb, %cc, %s : tensor<?x?x64xbf16>, tensor<?x128x4xbf16>,
      tensor<?x32x4xbf16>, tensor<?x32x4xbf16>, tensor<?x8x16x16xf32>
}

// Its decode step: the four states in and out, no biases, D per head.
// CHECK-LABEL: func @mixer2_step
func.func @mixer2_step(
    %h: tensor<?x64xf32>, %cx: tensor<?x128x4xf32>, %cb: tensor<?x32x4xf32>,
    %cc: tensor<?x32x4xf32>, %s: tensor<?x8x16x16xf32>,
    %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>,
    %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>,
    %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>)
    -> (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>,
        tensor<?x32x4xf32>, tensor<?x8x16x16xf32>) {
  // CHECK: mamba.mixer2_step %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} in_proj(%{{.*}}) conv(%{{.*}}) dt_bias(%{{.*}}) A_log(%{{.*}}) D(%{{.*}}) norm(%{{.*}}) out_proj(%{{.*}}) {n_groups = 2 : i64}
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
