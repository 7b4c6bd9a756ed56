// GPU test kernels of the ops around the scan: compiled at build time by
// mamba-compile, run by MambaGpuTests (OpsGpuTest.cpp) against the reference
// library. No sidecar: the test names each function and its shapes.

// A later layer's norm: bf16 activations, f32 residual stream, a feature
// count that is not a multiple of the block.
func.func @norm_residual_bf16(%x: tensor<?x?x1000xbf16>, %w: tensor<1000xbf16>, %r: tensor<?x?x1000xf32>) -> (tensor<?x?x1000xbf16>, tensor<?x?x1000xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x?x1000xbf16>, tensor<1000xbf16>, tensor<?x?x1000xf32>) -> (tensor<?x?x1000xbf16>, tensor<?x?x1000xf32>)
  return %y, %ro : tensor<?x?x1000xbf16>, tensor<?x?x1000xf32>
}

// The first layer's norm (no residual in, the stream out), decode rows.
func.func @norm_first_f32(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %y, %ro = mamba.rms_norm %x, %w eps(1.0e-06) : (tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>)
  return %y, %ro : tensor<?x64xf32>, tensor<?x64xf32>
}

func.func @conv_silu_bf16(%x: tensor<?x96x?xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) : (tensor<?x96x?xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>)
  return %y, %s : tensor<?x96x?xbf16>, tensor<?x96x4xbf16>
}

func.func @conv_plain_f32(%x: tensor<?x64x?xf32>, %w: tensor<64x3xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.causal_conv1d %x, %w : (tensor<?x64x?xf32>, tensor<64x3xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

func.func @embed_bf16(%ids: tensor<?x?xi32>, %t: tensor<300x96xbf16>) -> tensor<?x?x96xbf16> {
  %y = mamba.embedding %ids, %t : (tensor<?x?xi32>, tensor<300x96xbf16>) -> tensor<?x?x96xbf16>
  return %y : tensor<?x?x96xbf16>
}

func.func @embed_f32(%ids: tensor<?xi32>, %t: tensor<50x64xf32>) -> tensor<?x64xf32> {
  %y = mamba.embedding %ids, %t : (tensor<?xi32>, tensor<50x64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @conv_step_bf16(%s: tensor<?x96x4xbf16>, %x: tensor<?x96xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>) {
  %y, %n = mamba.conv_state_update %s, %x, %w bias(%b) activation(silu) : (tensor<?x96x4xbf16>, tensor<?x96xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>)
  return %y, %n : tensor<?x96xbf16>, tensor<?x96x4xbf16>
}

func.func @ssm_step_f32(%s: tensor<?x200x16xf32>, %x: tensor<?x200xf32>, %dt: tensor<?x200xf32>, %A: tensor<200x16xf32>, %B: tensor<?x1x16xf32>, %C: tensor<?x1x16xf32>, %D: tensor<200xf32>, %z: tensor<?x200xf32>, %bias: tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) delta_softplus : (tensor<?x200x16xf32>, tensor<?x200xf32>, tensor<?x200xf32>, tensor<200x16xf32>, tensor<?x1x16xf32>, tensor<?x1x16xf32>, tensor<200xf32>, tensor<?x200xf32>, tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>)
  return %y, %n : tensor<?x200xf32>, tensor<?x200x16xf32>
}

// Four threads per channel (N = 64) and two groups of B and C.
func.func @ssm_step_bf16_n64_g2(%s: tensor<?x96x64xf32>, %x: tensor<?x96xbf16>, %dt: tensor<?x96xbf16>, %A: tensor<96x64xf32>, %B: tensor<?x2x64xbf16>, %C: tensor<?x2x64xbf16>, %D: tensor<96xf32>, %z: tensor<?x96xbf16>, %bias: tensor<96xf32>) -> (tensor<?x96xbf16>, tensor<?x96x64xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) delta_softplus : (tensor<?x96x64xf32>, tensor<?x96xbf16>, tensor<?x96xbf16>, tensor<96x64xf32>, tensor<?x2x64xbf16>, tensor<?x2x64xbf16>, tensor<96xf32>, tensor<?x96xbf16>, tensor<96xf32>) -> (tensor<?x96xbf16>, tensor<?x96x64xf32>)
  return %y, %n : tensor<?x96xbf16>, tensor<?x96x64xf32>
}

func.func @ssm_step_f32_bare_n1(%s: tensor<?x8x1xf32>, %x: tensor<?x8xf32>, %dt: tensor<?x8xf32>, %A: tensor<8x1xf32>, %B: tensor<?x1x1xf32>, %C: tensor<?x1x1xf32>) -> (tensor<?x8xf32>, tensor<?x8x1xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<?x8x1xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<8x1xf32>, tensor<?x1x1xf32>, tensor<?x1x1xf32>) -> (tensor<?x8xf32>, tensor<?x8x1xf32>)
  return %y, %n : tensor<?x8xf32>, tensor<?x8x1xf32>
}

// The fused decode step (conv update, x_proj, dt_proj, state update, skip,
// gate). E = 192 is not a multiple of kernel 1's 128 channels per block.
func.func @selective_step_bf16(%xz: tensor<?x384xbf16>, %cs: tensor<?x192x4xbf16>, %ss: tensor<?x192x16xf32>, %wc: tensor<192x4xbf16>, %bc: tensor<192xbf16>, %wx: tensor<44x192xbf16>, %wdt: tensor<192x12xbf16>, %bdt: tensor<192xf32>, %a: tensor<192x16xf32>, %d: tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x384xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>, tensor<192x4xbf16>, tensor<192xbf16>, tensor<44x192xbf16>, tensor<192x12xbf16>, tensor<192xf32>, tensor<192x16xf32>, tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>)
  return %y, %c, %s : tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>
}

// f32, no conv bias, N = 32 (two threads per channel), three kernel-1
// blocks whose partials kernel 2 adds.
func.func @selective_step_f32_n32(%xz: tensor<?x768xf32>, %cs: tensor<?x384x3xf32>, %ss: tensor<?x384x32xf32>, %wc: tensor<384x3xf32>, %wx: tensor<72x384xf32>, %wdt: tensor<384x8xf32>, %bdt: tensor<384xf32>, %a: tensor<384x32xf32>, %d: tensor<384xf32>) -> (tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x768xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>, tensor<384x3xf32>, tensor<72x384xf32>, tensor<384x8xf32>, tensor<384xf32>, tensor<384x32xf32>, tensor<384xf32>) -> (tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>)
  return %y, %c, %s : tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>
}

// Greedy sampling over a vocabulary that is not a multiple of the 32
// elements a thread reads per trip, decode rows.
func.func @argmax_bf16(%x: tensor<?x50280xbf16>) -> tensor<?xi32> {
  %i = mamba.argmax %x : (tensor<?x50280xbf16>) -> tensor<?xi32>
  return %i : tensor<?xi32>
}

// Rows shorter than one 16-byte vector trip per thread, two batch dims.
func.func @argmax_f32(%x: tensor<?x?x37xf32>) -> tensor<?x?xi32> {
  %i = mamba.argmax %x : (tensor<?x?x37xf32>) -> tensor<?x?xi32>
  return %i : tensor<?x?xi32>
}

// Mamba-2's gated norm: prefill rows [b, L, F] in bf16, two groups of 1536
// (mamba2-130m's d_inner at n_groups 2); decode rows [b, F] in f32 without
// a gate, eight groups of 40 (fewer features than threads).
func.func @gated_norm_bf16(%x: tensor<?x?x3072xbf16>, %w: tensor<3072xbf16>, %z: tensor<?x?x3072xbf16>) -> tensor<?x?x3072xbf16> {
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 1536 : i64} : (tensor<?x?x3072xbf16>, tensor<3072xbf16>, tensor<?x?x3072xbf16>) -> tensor<?x?x3072xbf16>
  return %y : tensor<?x?x3072xbf16>
}

func.func @gated_norm_f32(%x: tensor<?x320xf32>, %w: tensor<320xf32>) -> tensor<?x320xf32> {
  %y = mamba.rms_norm_gated %x, %w {group_size = 40 : i64, eps = 1.0e-6 : f64} : (tensor<?x320xf32>, tensor<320xf32>) -> tensor<?x320xf32>
  return %y : tensor<?x320xf32>
}

// Mamba-2's decode step with heads: mamba2-130m's head (P = 64, N = 128:
// eight lanes of 16 states a channel), 4 heads, one group, every option, a
// dt clamp, bf16; and f32 with D per channel, two groups, N = 16.
func.func @ssd_step_bf16(%s: tensor<?x4x64x128xf32>, %x: tensor<?x4x64xbf16>, %dt: tensor<?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x1x128xbf16>, %C: tensor<?x1x128xbf16>, %D: tensor<4xf32>, %z: tensor<?x4x64xbf16>, %bias: tensor<4xf32>) -> (tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {dt_min = 0.001 : f64, dt_max = 0.5 : f64} : (tensor<?x4x64x128xf32>, tensor<?x4x64xbf16>, tensor<?x4xbf16>, tensor<4xf32>, tensor<?x1x128xbf16>, tensor<?x1x128xbf16>, tensor<4xf32>, tensor<?x4x64xbf16>, tensor<4xf32>) -> (tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>)
  return %y, %n : tensor<?x4x64xbf16>, tensor<?x4x64x128xf32>
}

func.func @ssd_step_f32(%s: tensor<?x8x16x16xf32>, %x: tensor<?x8x16xf32>, %dt: tensor<?x8xf32>, %A: tensor<8xf32>, %B: tensor<?x2x16xf32>, %C: tensor<?x2x16xf32>, %D: tensor<8x16xf32>) -> (tensor<?x8x16xf32>, tensor<?x8x16x16xf32>) {
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) : (tensor<?x8x16x16xf32>, tensor<?x8x16xf32>, tensor<?x8xf32>, tensor<8xf32>, tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<8x16xf32>) -> (tensor<?x8x16xf32>, tensor<?x8x16x16xf32>)
  return %y, %n : tensor<?x8x16xf32>, tensor<?x8x16x16xf32>
}

// Mamba-2's channels-last conv ([b, L, d]): 200 channels (one full block of
// 128 threads and a part-filled one), SiLU, a bias and the final window in
// bf16; a plain f32 one.
func.func @conv_channels_last_bf16(%x: tensor<?x?x200xbf16>, %w: tensor<200x4xbf16>, %b: tensor<200xbf16>) -> (tensor<?x?x200xbf16>, tensor<?x200x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) channels_last : (tensor<?x?x200xbf16>, tensor<200x4xbf16>, tensor<200xbf16>) -> (tensor<?x?x200xbf16>, tensor<?x200x4xbf16>)
  return %y, %s : tensor<?x?x200xbf16>, tensor<?x200x4xbf16>
}

func.func @conv_channels_last_f32(%x: tensor<?x?x64xf32>, %w: tensor<64x3xf32>) -> tensor<?x?x64xf32> {
  %y = mamba.causal_conv1d %x, %w channels_last : (tensor<?x?x64xf32>, tensor<64x3xf32>) -> tensor<?x?x64xf32>
  return %y : tensor<?x?x64xf32>
}

// Mamba-2's SSD scan on the GPU: mamba2-130m's head size with every
// option in bf16 (D per channel, the gate, the bias, a dt clamp, initial
// states, seq_idx: the chunked tensor-core kernel, chunks of 32), bf16 with
// two groups of N = 64 and P = 32 (chunks of 64, two warps a block), and
// f32 with two groups of N = 16 (the per-step recurrence).
func.func @ssd_scan_bf16_all(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>, %D: tensor<4x64xf32>, %z: tensor<?x?x4x64xbf16>, %bias: tensor<4xf32>, %h0: tensor<?x4x64x128xf32>, %seq: tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) initial_states(%h0) seq_idx(%seq) dt_softplus {chunk_size = 64 : i64, dt_min = 0.001 : f64, dt_max = 0.5 : f64} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>, tensor<4x64xf32>, tensor<?x?x4x64xbf16>, tensor<4xf32>, tensor<?x4x64x128xf32>, tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>)
  return %y, %s : tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>
}

func.func @ssd_scan_bf16_groups(%x: tensor<?x?x8x32xbf16>, %dt: tensor<?x?x8xbf16>, %A: tensor<8xf32>, %B: tensor<?x?x2x64xbf16>, %C: tensor<?x?x2x64xbf16>, %D: tensor<8xf32>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x64xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) dt_softplus : (tensor<?x?x8x32xbf16>, tensor<?x?x8xbf16>, tensor<8xf32>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<8xf32>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x64xf32>)
  return %y, %s : tensor<?x?x8x32xbf16>, tensor<?x8x32x64xf32>
}

// The chunked kernel's edge sizes: N = 256 in eight groups with P = 32
// (the state 128 registers a thread), and N = 16 with P = 64 in f16.
func.func @ssd_scan_bf16_n256_g8(%x: tensor<?x?x8x32xbf16>, %dt: tensor<?x?x8xbf16>, %A: tensor<8xf32>, %B: tensor<?x?x8x256xbf16>, %C: tensor<?x?x8x256xbf16>, %D: tensor<8xf32>, %z: tensor<?x?x8x32xbf16>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x256xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_softplus : (tensor<?x?x8x32xbf16>, tensor<?x?x8xbf16>, tensor<8xf32>, tensor<?x?x8x256xbf16>, tensor<?x?x8x256xbf16>, tensor<8xf32>, tensor<?x?x8x32xbf16>) -> (tensor<?x?x8x32xbf16>, tensor<?x8x32x256xf32>)
  return %y, %s : tensor<?x?x8x32xbf16>, tensor<?x8x32x256xf32>
}

func.func @ssd_scan_f16_n16(%x: tensor<?x?x2x64xf16>, %dt: tensor<?x?x2xf16>, %A: tensor<2xf32>, %B: tensor<?x?x1x16xf16>, %C: tensor<?x?x1x16xf16>, %h0: tensor<?x2x64x16xf32>) -> (tensor<?x?x2x64xf16>, tensor<?x2x64x16xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C initial_states(%h0) dt_softplus : (tensor<?x?x2x64xf16>, tensor<?x?x2xf16>, tensor<2xf32>, tensor<?x?x1x16xf16>, tensor<?x?x1x16xf16>, tensor<?x2x64x16xf32>) -> (tensor<?x?x2x64xf16>, tensor<?x2x64x16xf32>)
  return %y, %s : tensor<?x?x2x64xf16>, tensor<?x2x64x16xf32>
}

func.func @ssd_scan_f32(%x: tensor<?x?x8x16xf32>, %dt: tensor<?x?x8xf32>, %A: tensor<8xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<8xf32>) -> (tensor<?x?x8x16xf32>, tensor<?x8x16x16xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) : (tensor<?x?x8x16xf32>, tensor<?x?x8xf32>, tensor<8xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<8xf32>) -> (tensor<?x?x8x16xf32>, tensor<?x8x16x16xf32>)
  return %y, %s : tensor<?x?x8x16xf32>, tensor<?x8x16x16xf32>
}
