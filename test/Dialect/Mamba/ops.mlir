// RUN: mamba-opt %s | FileCheck %s
// Verify the printed output can be parsed.
// RUN: mamba-opt %s | mamba-opt | FileCheck %s
// Verify the generic form can be parsed.
// RUN: mamba-opt -mlir-print-op-generic %s | mamba-opt | FileCheck %s

// Every optional operand and result of the scan, bf16 activations.
// CHECK-LABEL: func @selective_scan_all_options
func.func @selective_scan_all_options(
    %u: tensor<2x8x37xbf16>, %dt: tensor<2x8x37xbf16>, %A: tensor<8x16xf32>,
    %B: tensor<2x2x16x37xbf16>, %C: tensor<2x2x16x37xbf16>, %D: tensor<8xf32>,
    %z: tensor<2x8x37xbf16>, %bias: tensor<8xf32>, %h0: tensor<2x8x16xf32>)
    -> (tensor<2x8x37xbf16>, tensor<2x8x16xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = mamba.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) delta_bias(%{{.*}}) initial_state(%{{.*}}) delta_softplus :
  // CHECK-SAME: -> (tensor<2x8x37xbf16>, tensor<2x8x16xf32>)
  %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C D(%D) z(%z)
      delta_bias(%bias) initial_state(%h0) delta_softplus
      : (tensor<2x8x37xbf16>, tensor<2x8x37xbf16>, tensor<8x16xf32>,
         tensor<2x2x16x37xbf16>, tensor<2x2x16x37xbf16>, tensor<8xf32>,
         tensor<2x8x37xbf16>, tensor<8xf32>, tensor<2x8x16xf32>)
      -> (tensor<2x8x37xbf16>, tensor<2x8x16xf32>)
  return %y, %h : tensor<2x8x37xbf16>, tensor<2x8x16xf32>
}

// The bare scan: no optional operand, no final state, dynamic batch and
// length (prefill over prompts of any size).
// CHECK-LABEL: func @selective_scan_minimal_dynamic
func.func @selective_scan_minimal_dynamic(
    %u: tensor<?x4x?xf32>, %dt: tensor<?x4x?xf32>, %A: tensor<4x1xf32>,
    %B: tensor<?x1x1x?xf32>, %C: tensor<?x1x1x?xf32>) -> tensor<?x4x?xf32> {
  // CHECK: mamba.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<4x1xf32>, tensor<?x1x1x?xf32>, tensor<?x1x1x?xf32>) -> tensor<?x4x?xf32>
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      : (tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<4x1xf32>,
         tensor<?x1x1x?xf32>, tensor<?x1x1x?xf32>) -> tensor<?x4x?xf32>
  return %y : tensor<?x4x?xf32>
}

// Optional operands given out of the middle of the list (z without D) must
// keep their segment.
// CHECK-LABEL: func @selective_scan_z_only
func.func @selective_scan_z_only(
    %u: tensor<1x4x3xf16>, %dt: tensor<1x4x3xf16>, %A: tensor<4x2xf32>,
    %B: tensor<1x4x2x3xf16>, %C: tensor<1x4x2x3xf16>, %z: tensor<1x4x3xf16>)
    -> tensor<1x4x3xf16> {
  // CHECK: mamba.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} z(%{{.*}}) :
  %y = mamba.selective_scan %u, %dt, %A, %B, %C z(%z)
      : (tensor<1x4x3xf16>, tensor<1x4x3xf16>, tensor<4x2xf32>,
         tensor<1x4x2x3xf16>, tensor<1x4x2x3xf16>, tensor<1x4x3xf16>)
      -> tensor<1x4x3xf16>
  return %y : tensor<1x4x3xf16>
}

// CHECK-LABEL: func @causal_conv1d
func.func @causal_conv1d(%x: tensor<2x3x10xbf16>, %w: tensor<3x4xf32>,
                         %b: tensor<3xf32>, %x2: tensor<1x2x7xf32>,
                         %w2: tensor<2x2xf32>)
    -> (tensor<2x3x10xbf16>, tensor<1x2x7xf32>) {
  // CHECK: mamba.causal_conv1d %{{.*}}, %{{.*}} bias(%{{.*}}) activation(silu) :
  %y = mamba.causal_conv1d %x, %w bias(%b) activation(silu)
      : (tensor<2x3x10xbf16>, tensor<3x4xf32>, tensor<3xf32>)
      -> tensor<2x3x10xbf16>
  // The default activation is not printed.
  // CHECK: mamba.causal_conv1d %{{.*}}, %{{.*}} : (tensor<1x2x7xf32>, tensor<2x2xf32>) -> tensor<1x2x7xf32>
  %y2 = mamba.causal_conv1d %x2, %w2 activation(none)
      : (tensor<1x2x7xf32>, tensor<2x2xf32>) -> tensor<1x2x7xf32>
  return %y, %y2 : tensor<2x3x10xbf16>, tensor<1x2x7xf32>
}

// A prefill's conv also returns the window decoding continues from.
// CHECK-LABEL: func @causal_conv1d_final_state
func.func @causal_conv1d_final_state(%x: tensor<?x3x?xbf16>, %w: tensor<3x4xbf16>)
    -> (tensor<?x3x?xbf16>, tensor<?x3x4xbf16>) {
  // CHECK: mamba.causal_conv1d %{{.*}}, %{{.*}} activation(silu) : (tensor<?x3x?xbf16>, tensor<3x4xbf16>) -> (tensor<?x3x?xbf16>, tensor<?x3x4xbf16>)
  %y, %s = mamba.causal_conv1d %x, %w activation(silu)
      : (tensor<?x3x?xbf16>, tensor<3x4xbf16>)
      -> (tensor<?x3x?xbf16>, tensor<?x3x4xbf16>)
  return %y, %s : tensor<?x3x?xbf16>, tensor<?x3x4xbf16>
}

// Mamba-2's token-major layout: x and y are [b, L, d], the state [b, d, K].
// CHECK-LABEL: func @causal_conv1d_channels_last
func.func @causal_conv1d_channels_last(%x: tensor<?x?x3xbf16>, %w: tensor<3x4xbf16>)
    -> (tensor<?x?x3xbf16>, tensor<?x3x4xbf16>) {
  // CHECK: mamba.causal_conv1d %{{.*}}, %{{.*}} activation(silu) channels_last : (tensor<?x?x3xbf16>, tensor<3x4xbf16>) -> (tensor<?x?x3xbf16>, tensor<?x3x4xbf16>)
  %y, %s = mamba.causal_conv1d %x, %w activation(silu) channels_last
      : (tensor<?x?x3xbf16>, tensor<3x4xbf16>)
      -> (tensor<?x?x3xbf16>, tensor<?x3x4xbf16>)
  return %y, %s : tensor<?x?x3xbf16>, tensor<?x3x4xbf16>
}

// CHECK-LABEL: func @rms_norm
func.func @rms_norm(%x: tensor<2x8x64xbf16>, %w: tensor<64xbf16>,
                    %res: tensor<2x8x64xf32>, %x2: tensor<2x5xf32>,
                    %w2: tensor<5xf32>)
    -> (tensor<2x8x64xbf16>, tensor<2x8x64xf32>, tensor<2x5xf32>,
        tensor<2x8x64xbf16>, tensor<2x8x64xf32>) {
  // CHECK: mamba.rms_norm %{{.*}}, %{{.*}} residual(%{{.*}}) eps(9.765625E-4) :
  %y, %r = mamba.rms_norm %x, %w residual(%res) eps(9.765625e-4)
      : (tensor<2x8x64xbf16>, tensor<64xbf16>, tensor<2x8x64xf32>)
      -> (tensor<2x8x64xbf16>, tensor<2x8x64xf32>)
  // The default eps (1e-5) is not printed.
  // CHECK: mamba.rms_norm %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  %y2 = mamba.rms_norm %x2, %w2 : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  // The first layer starts the residual stream without a residual input.
  // CHECK: mamba.rms_norm %{{.*}}, %{{.*}} : (tensor<2x8x64xbf16>, tensor<64xbf16>) -> (tensor<2x8x64xbf16>, tensor<2x8x64xf32>)
  %y3, %r3 = mamba.rms_norm %x, %w
      : (tensor<2x8x64xbf16>, tensor<64xbf16>)
      -> (tensor<2x8x64xbf16>, tensor<2x8x64xf32>)
  return %y, %r, %y2, %y3, %r3 : tensor<2x8x64xbf16>, tensor<2x8x64xf32>,
      tensor<2x5xf32>, tensor<2x8x64xbf16>, tensor<2x8x64xf32>
}

// CHECK-LABEL: func @linear
func.func @linear(%x: tensor<?x5x64xf32>, %w: tensor<256x64xf32>,
                  %b: tensor<256xf32>) -> (tensor<?x5x256xf32>, tensor<?x5x256xf32>) {
  // CHECK: mamba.linear %{{.*}}, %{{.*}} : (tensor<?x5x64xf32>, tensor<256x64xf32>) -> tensor<?x5x256xf32>
  %y = mamba.linear %x, %w : (tensor<?x5x64xf32>, tensor<256x64xf32>) -> tensor<?x5x256xf32>
  // CHECK: mamba.linear %{{.*}}, %{{.*}} bias(%{{.*}}) :
  %yb = mamba.linear %x, %w bias(%b)
      : (tensor<?x5x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x5x256xf32>
  return %y, %yb : tensor<?x5x256xf32>, tensor<?x5x256xf32>
}

// CHECK-LABEL: func @embedding
func.func @embedding(%ids: tensor<1x5xi32>, %ids64: tensor<7xi64>,
                     %table: tensor<256x64xbf16>)
    -> (tensor<1x5x64xbf16>, tensor<7x64xbf16>) {
  // CHECK: mamba.embedding %{{.*}}, %{{.*}} : (tensor<1x5xi32>, tensor<256x64xbf16>) -> tensor<1x5x64xbf16>
  %h = mamba.embedding %ids, %table
      : (tensor<1x5xi32>, tensor<256x64xbf16>) -> tensor<1x5x64xbf16>
  // CHECK: mamba.embedding %{{.*}}, %{{.*}} : (tensor<7xi64>, tensor<256x64xbf16>) -> tensor<7x64xbf16>
  %h2 = mamba.embedding %ids64, %table
      : (tensor<7xi64>, tensor<256x64xbf16>) -> tensor<7x64xbf16>
  return %h, %h2 : tensor<1x5x64xbf16>, tensor<7x64xbf16>
}

// CHECK-LABEL: func @argmax
func.func @argmax(%logits: tensor<?x50280xbf16>, %row: tensor<7xf32>,
                  %grid: tensor<2x?x9xf16>)
    -> (tensor<?xi32>, tensor<i32>, tensor<2x?xi32>) {
  // CHECK: mamba.argmax %{{.*}} : (tensor<?x50280xbf16>) -> tensor<?xi32>
  %a = mamba.argmax %logits : (tensor<?x50280xbf16>) -> tensor<?xi32>
  // CHECK: mamba.argmax %{{.*}} : (tensor<7xf32>) -> tensor<i32>
  %b = mamba.argmax %row : (tensor<7xf32>) -> tensor<i32>
  // CHECK: mamba.argmax %{{.*}} : (tensor<2x?x9xf16>) -> tensor<2x?xi32>
  %c = mamba.argmax %grid : (tensor<2x?x9xf16>) -> tensor<2x?xi32>
  return %a, %b, %c : tensor<?xi32>, tensor<i32>, tensor<2x?xi32>
}

// CHECK-LABEL: func @selective_state_update
func.func @selective_state_update(
    %state: tensor<2x4x3xf32>, %x: tensor<2x4xbf16>, %dt: tensor<2x4xbf16>,
    %A: tensor<4x3xf32>, %B: tensor<2x2x3xbf16>, %C: tensor<2x2x3xbf16>,
    %D: tensor<4xf32>, %z: tensor<2x4xbf16>, %bias: tensor<4xf32>)
    -> (tensor<2x4xbf16>, tensor<2x4x3xf32>, tensor<2x4xbf16>, tensor<2x4x3xf32>) {
  // CHECK: mamba.selective_state_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) dt_bias(%{{.*}}) delta_softplus :
  %y, %s = mamba.selective_state_update %state, %x, %dt, %A, %B, %C D(%D)
      z(%z) dt_bias(%bias) delta_softplus
      : (tensor<2x4x3xf32>, tensor<2x4xbf16>, tensor<2x4xbf16>,
         tensor<4x3xf32>, tensor<2x2x3xbf16>, tensor<2x2x3xbf16>,
         tensor<4xf32>, tensor<2x4xbf16>, tensor<4xf32>)
      -> (tensor<2x4xbf16>, tensor<2x4x3xf32>)
  // CHECK: mamba.selective_state_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
  %y2, %s2 = mamba.selective_state_update %state, %x, %dt, %A, %B, %C
      : (tensor<2x4x3xf32>, tensor<2x4xbf16>, tensor<2x4xbf16>,
         tensor<4x3xf32>, tensor<2x2x3xbf16>, tensor<2x2x3xbf16>)
      -> (tensor<2x4xbf16>, tensor<2x4x3xf32>)
  return %y, %s, %y2, %s2 : tensor<2x4xbf16>, tensor<2x4x3xf32>, tensor<2x4xbf16>, tensor<2x4x3xf32>
}

// CHECK-LABEL: func @conv_state_update
func.func @conv_state_update(%state: tensor<2x3x4xf32>, %x: tensor<2x3xf32>,
                             %w: tensor<3x4xf32>, %b: tensor<3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3x4xf32>) {
  // CHECK: mamba.conv_state_update %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) activation(silu) :
  %y, %s = mamba.conv_state_update %state, %x, %w bias(%b) activation(silu)
      : (tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>)
      -> (tensor<2x3xf32>, tensor<2x3x4xf32>)
  return %y, %s : tensor<2x3xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func @selective_step
func.func @selective_step(%xz: tensor<2x128xbf16>, %cs: tensor<2x64x4xbf16>,
                          %ss: tensor<2x64x16xf32>, %wc: tensor<64x4xbf16>,
                          %bc: tensor<64xbf16>, %wx: tensor<36x64xbf16>,
                          %wdt: tensor<64x4xbf16>, %bdt: tensor<64xf32>,
                          %a: tensor<64x16xf32>, %d: tensor<64xf32>)
    -> (tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>) {
  // CHECK: mamba.selective_step %{{.*}}, %{{.*}}, %{{.*}} conv(%{{.*}}, %{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A(%{{.*}}) D(%{{.*}}) :
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx)
      dt_proj(%wdt, %bdt) A(%a) D(%d)
      : (tensor<2x128xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>,
         tensor<64x4xbf16>, tensor<64xbf16>, tensor<36x64xbf16>,
         tensor<64x4xbf16>, tensor<64xf32>, tensor<64x16xf32>, tensor<64xf32>)
      -> (tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>)
  // Without the conv bias, dynamic batch.
  // CHECK: mamba.selective_step %{{.*}}, %{{.*}}, %{{.*}} conv(%{{.*}}) x_proj(
  %xzd = tensor.cast %xz : tensor<2x128xbf16> to tensor<?x128xbf16>
  %csd = tensor.cast %cs : tensor<2x64x4xbf16> to tensor<?x64x4xbf16>
  %ssd = tensor.cast %ss : tensor<2x64x16xf32> to tensor<?x64x16xf32>
  %y2, %c2, %s2 = mamba.selective_step %xzd, %csd, %ssd conv(%wc) x_proj(%wx)
      dt_proj(%wdt, %bdt) A(%a) D(%d)
      : (tensor<?x128xbf16>, tensor<?x64x4xbf16>, tensor<?x64x16xf32>,
         tensor<64x4xbf16>, tensor<36x64xbf16>, tensor<64x4xbf16>,
         tensor<64xf32>, tensor<64x16xf32>, tensor<64xf32>)
      -> (tensor<?x64xbf16>, tensor<?x64x4xbf16>, tensor<?x64x16xf32>)
  return %y, %c, %s : tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>
}

// The mixer with every optional bias (use_bias and use_conv_bias).
// CHECK-LABEL: func @mixer
func.func @mixer(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>,
                 %b_in: tensor<256xf32>, %w_conv: tensor<128x4xf32>,
                 %b_conv: tensor<128xf32>, %w_x: tensor<36x128xf32>,
                 %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>,
                 %a_log: tensor<128x16xf32>, %d: tensor<128xf32>,
                 %w_out: tensor<64x128xf32>, %b_out: tensor<64xf32>)
    -> (tensor<1x5x64xf32>, tensor<1x5x64xf32>) {
  // CHECK: mamba.mixer %{{.*}} in_proj(%{{.*}}, %{{.*}}) conv(%{{.*}}, %{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A_log(%{{.*}}) D(%{{.*}}) out_proj(%{{.*}}, %{{.*}}) :
  %o = mamba.mixer %h in_proj(%w_in, %b_in) conv(%w_conv, %b_conv)
      x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d)
      out_proj(%w_out, %b_out)
      : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<256xf32>,
         tensor<128x4xf32>, tensor<128xf32>, tensor<36x128xf32>,
         tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>,
         tensor<128xf32>, tensor<64x128xf32>, tensor<64xf32>)
      -> tensor<1x5x64xf32>
  // CHECK: mamba.mixer %{{.*}} in_proj(%{{.*}}) conv(%{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A_log(%{{.*}}) D(%{{.*}}) out_proj(%{{.*}}) :
  %o2 = mamba.mixer %h in_proj(%w_in) conv(%w_conv)
      x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>,
         tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>)
      -> tensor<1x5x64xf32>
  return %o, %o2 : tensor<1x5x64xf32>, tensor<1x5x64xf32>
}

// A prefill mixer returns its decode state; a mixer step continues from it.
// CHECK-LABEL: func @mixer_states_and_step
func.func @mixer_states_and_step(%h: tensor<?x?x64xbf16>, %h1: tensor<?x64xbf16>,
                 %w_in: tensor<256x64xbf16>, %w_conv: tensor<128x4xbf16>,
                 %b_conv: tensor<128xbf16>, %w_x: tensor<36x128xbf16>,
                 %w_dt: tensor<128x4xbf16>, %b_dt: tensor<128xf32>,
                 %a_log: tensor<128x16xf32>, %d: tensor<128xf32>,
                 %w_out: tensor<64x128xbf16>)
    -> (tensor<?x?x64xbf16>, tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>) {
  // CHECK: %{{.*}}, %{{.*}}:2 = mamba.mixer %{{.*}} in_proj(%{{.*}}) conv(%{{.*}}, %{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A_log(%{{.*}}) D(%{{.*}}) out_proj(%{{.*}}) : {{.*}} -> (tensor<?x?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
  %o, %conv, %ssm = mamba.mixer %h in_proj(%w_in) conv(%w_conv, %b_conv)
      x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<?x?x64xbf16>, tensor<256x64xbf16>, tensor<128x4xbf16>,
         tensor<128xbf16>, tensor<36x128xbf16>, tensor<128x4xbf16>,
         tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>,
         tensor<64x128xbf16>)
      -> (tensor<?x?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = mamba.mixer_step %{{.*}}, %{{.*}}, %{{.*}} in_proj(%{{.*}}) conv(%{{.*}}, %{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A_log(%{{.*}}) D(%{{.*}}) out_proj(%{{.*}}) : {{.*}} -> (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
  %o1, %conv1, %ssm1 = mamba.mixer_step %h1, %conv, %ssm in_proj(%w_in)
      conv(%w_conv, %b_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt)
      A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>,
         tensor<256x64xbf16>, tensor<128x4xbf16>, tensor<128xbf16>,
         tensor<36x128xbf16>, tensor<128x4xbf16>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xbf16>)
      -> (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
  return %o, %o1, %conv1, %ssm1 : tensor<?x?x64xbf16>, tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>
}

// A tiling decision on the op: sequence_splits is printed only when it is
// not 1.
// CHECK-LABEL: func @selective_scan_tiling
func.func @selective_scan_tiling(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>,
                                 %B: tensor<1x1x4x4xf32>)
    -> (tensor<1x8x4xf32>, tensor<1x8x4xf32>) {
  // CHECK: tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 2, chunk_length = 2>
  %y0 = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 2, chunk_length = 2, sequence_splits = 1>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  // CHECK: tiling = #mamba.scan_tiling<channels_per_block = 8, states_per_thread = 4, chunk_length = 16, sequence_splits = 4>
  %y1 = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 8, states_per_thread = 4, chunk_length = 16, sequence_splits = 4>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return %y0, %y1 : tensor<1x8x4xf32>, tensor<1x8x4xf32>
}
