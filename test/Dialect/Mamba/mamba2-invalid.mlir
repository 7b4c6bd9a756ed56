// RUN: mamba-opt %s -split-input-file -verify-diagnostics

// x must be [b, L, H, P].
func.func @f(%x: tensor<2x8x4xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects x to have rank 4 ([b, L, H, P]), but got 'tensor<2x8x4xf32>'}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

// dt's heads must be x's.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x3xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects dt dim 2 (H) to be 4 to match x dim 2, but got 3}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x3xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// C's state size must be B's.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x32xf32>) {
  // expected-error @+1 {{expects C dim 3 (N) to be 16 to match B dim 3, but got 32}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x32xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The groups must divide the heads.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x3x16xf32>, %C: tensor<2x8x3x16xf32>) {
  // expected-error @+1 {{expects the number of groups G = 3 of B and C to divide the heads H = 4}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x3x16xf32>, tensor<2x8x3x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// D per head and channel must be [H, P].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>, %D: tensor<4x8xf32>) {
  // expected-error @+1 {{expects D dim 1 (P) to be 16 to match x dim 3, but got 8}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>, tensor<4x8xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// B must have x's element type.
func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{expects B to have element type 'bf16' (as x), but got 'f32'}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}

// -----

// seq_idx must be [b, L].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>, %seq: tensor<2x7xi32>) {
  // expected-error @+1 {{expects seq_idx dim 1 (L) to be 8 to match x dim 1, but got 7}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C seq_idx(%seq) : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>, tensor<2x7xi32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The final states are [b, H, P, N].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x32xf32>, %C: tensor<2x8x1x32xf32>) {
  // expected-error @+1 {{expects final_states dim 3 (N) to be 32 to match B dim 3, but got 16}}
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects a chunk_size of at least 1, but got 0}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {chunk_size = 0 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects 0 <= dt_min <= dt_max, but got dt_min = 5.000000e-01, dt_max = 1.000000e-01}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {dt_min = 0.5 : f64, dt_max = 0.1 : f64} : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The state update's state is [b, H, P, N].
func.func @f(%s: tensor<2x4x16x8xf32>, %x: tensor<2x4x16xf32>, %dt: tensor<2x4xf32>, %A: tensor<4xf32>, %B: tensor<2x1x16xf32>, %C: tensor<2x1x16xf32>) {
  // expected-error @+1 {{expects B dim 2 (N) to be 8 to match state dim 3, but got 16}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16x8xf32>)
  return
}

// -----

func.func @f(%s: tensor<2x4x16x8xf32>, %x: tensor<2x4x16xf32>, %dt: tensor<2x4xf32>, %A: tensor<4xf32>, %B: tensor<2x1x8xf32>, %C: tensor<2x1x8xf32>, %z: tensor<2x4x8xf32>) {
  // expected-error @+1 {{expects z dim 2 (P) to be 16 to match state dim 2, but got 8}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C z(%z) : (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<2x1x8xf32>, tensor<2x1x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16x8xf32>)
  return
}

// -----

// The gated norm's group size must divide the features.
func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects group_size = 48 to divide the features F = 128}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 48 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects weight dim 0 (F) to be 128 to match x dim 1, but got 64}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 64 : i64} : (tensor<2x128xf32>, tensor<64xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xbf16>, %w: tensor<128xf32>, %z: tensor<2x128xf32>) {
  // expected-error @+1 {{expects z to have the type of x 'tensor<2x128xbf16>', but got 'tensor<2x128xf32>'}}
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64} : (tensor<2x128xbf16>, tensor<128xf32>, tensor<2x128xf32>) -> tensor<2x128xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects a group_size of at least 1, but got 0}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 0 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects y to have the shape of x 'tensor<2x128xf32>', but got 'tensor<3x128xf32>'}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 64 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<3x128xf32>
  return
}

// -----

// mamba.mixer2: H = 8 heads of P = 16 (E = 128), G = 2 groups of N = 16 in
// the valid shapes; each case breaks one thing.
func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<?xf32>, %a_log: tensor<?xf32>, %d: tensor<?xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects static A_log, norm_weight and conv_weight shapes: the splits of in_proj and of the conv come from them}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects n_groups of at least 1, but got 0}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 0 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<7xf32>, %a_log: tensor<7xf32>, %d: tensor<7xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects the heads H = 7 (A_log dim 0) to divide the inner size E = 128 (norm_weight dim 0)}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<7xf32>, tensor<7xf32>, tensor<7xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<190x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects conv_weight dim 0 to be E + 2 * n_groups * N = 128 + 2 * 2 * N, but got 190}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<190x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<320x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects in_proj_weight dim 0 to be 2E + 2GN + H = 328 (E = 128, G = 2, N = 16, H = 8), but got 320}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<320x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

// G = 3 groups of N = 16 (conv 128 + 96 channels) for 8 heads.
func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<360x64xf32>, %w_conv: tensor<224x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects n_groups = 3 to divide the heads H = 8}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 3 : i64} : (tensor<?x?x64xf32>, tensor<360x64xf32>, tensor<224x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8x8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects D to be [H] = [8] or [H, P] = [8, 16], but got 'tensor<8x8xf32>'}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x100xf32>) {
  // expected-error @+1 {{expects out_proj_weight dim 1 (E) to be 128 to match norm_weight dim 0, but got 100}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x100xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects a chunk_size of at least 1, but got 0}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64, chunk_size = 0 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects 0 <= dt_min <= dt_max, but got dt_min = 1.000000e-01, dt_max = 1.000000e-02}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64, dt_min = 0.1 : f64, dt_max = 0.01 : f64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xbf16>, %w_in: tensor<328x64xbf16>, %w_conv: tensor<192x4xbf16>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf16>, %w_out: tensor<64x128xbf16>) {
  // expected-error @+1 {{expects norm_weight to have element type 'bf16' or f32, but got 'f16'}}
  %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xbf16>, tensor<328x64xbf16>, tensor<192x4xbf16>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf16>, tensor<64x128xbf16>) -> tensor<?x?x64xbf16>
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects either no state results or four (conv_state_x, conv_state_b, conv_state_c, ssm_state), but got 2}}
  %out, %cx, %s = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x8x16x16xf32>)
  return
}

// -----

func.func @f(%h: tensor<?x?x64xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects conv_state_b dim 1 (GN) to be 32, but got 16}}
  %out, %cx, %cb, %cc, %s = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x?x64xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x16x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>)
  return
}

// -----

// The states' sizes come from the weights: a dynamic one is refused.
func.func @f(%h: tensor<?x64xbf16>, %cx: tensor<?x128x4xbf16>, %cb: tensor<?x32x4xbf16>, %cc: tensor<?x32x4xf32>, %s: tensor<?x8x16x16xf32>, %w_in: tensor<328x64xbf16>, %w_conv: tensor<192x4xbf16>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xbf16>, %w_out: tensor<64x128xbf16>) {
  // expected-error @+1 {{expects conv_state_c to have element type 'bf16' (as hidden), but got 'f32'}}
  %out, %cx1, %cb1, %cc1, %s1 = mamba.mixer2_step %h, %cx, %cb, %cc, %s in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x32x4xbf16>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>, tensor<328x64xbf16>, tensor<192x4xbf16>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xbf16>, tensor<64x128xbf16>) -> (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x32x4xbf16>, tensor<?x32x4xbf16>, tensor<?x8x16x16xf32>)
  return
}

// -----

func.func @f(%h: tensor<?x64xf32>, %cx: tensor<?x128x4xf32>, %cb: tensor<?x32x4xf32>, %cc: tensor<?x32x4xf32>, %s: tensor<?x8x16x16xf32>, %w_in: tensor<328x64xf32>, %w_conv: tensor<192x4xf32>, %dt_bias: tensor<8xf32>, %a_log: tensor<8xf32>, %d: tensor<8xf32>, %w_norm: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects new_ssm_state dim 3 (N) to be 16, but got ?}}
  %out, %cx1, %cb1, %cc1, %s1 = mamba.mixer2_step %h, %cx, %cb, %cc, %s in_proj(%w_in) conv(%w_conv) dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out) {n_groups = 2 : i64} : (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x16xf32>, tensor<328x64xf32>, tensor<192x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<?x64xf32>, tensor<?x128x4xf32>, tensor<?x32x4xf32>, tensor<?x32x4xf32>, tensor<?x8x16x?xf32>)
  return
}

// -----

// #mamba.ssd_kernel: tensor_cores 0 or 1; the per-step kernel takes no
// sizes; chunks and blocks are multiples of 16 (chunks up to 128) or 0.
func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xbf16>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{expects tensor_cores 0 (the per-step kernel) or 1 (the chunked one), but got 2}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 2, chunk = 0, channel_block = 0>} : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xbf16>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xbf16>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{the per-step kernel (tensor_cores = 0) takes no sizes, but got chunk = 32, channel_block = 0}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 0, chunk = 32, channel_block = 0>} : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xbf16>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xbf16>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{expects chunk 0 (the kernel's choice) or a multiple of 16 up to 128, but got 24}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 24, channel_block = 16>} : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xbf16>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xbf16>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{expects channel_block 0 (the kernel's choice) or a multiple of 16, but got 8}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 16, channel_block = 8>} : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xbf16>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}
