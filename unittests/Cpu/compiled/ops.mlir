// Row-wise ops for the CPU tests, with the shapes of a model's norms: the
// residual stream in f32 beside bf16 activations, and a plain f32 norm.
func.func @norm_bf16_residual(%x: tensor<?x?x100xbf16>, %w: tensor<100xbf16>, %r: tensor<?x?x100xf32>) -> (tensor<?x?x100xbf16>, tensor<?x?x100xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x?x100xbf16>, tensor<100xbf16>, tensor<?x?x100xf32>) -> (tensor<?x?x100xbf16>, tensor<?x?x100xf32>)
  return %y, %ro : tensor<?x?x100xbf16>, tensor<?x?x100xf32>
}

func.func @norm_f32(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = mamba.rms_norm %x, %w eps(1.0e-06) : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// Causal conv1d + SiLU with the final window decoding continues from (bf16,
// K = 4, a bias), and a plain f32 one (K = 3).
func.func @conv_bf16_silu(%x: tensor<?x96x?xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) : (tensor<?x96x?xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96x?xbf16>, tensor<?x96x4xbf16>)
  return %y, %s : tensor<?x96x?xbf16>, tensor<?x96x4xbf16>
}

func.func @conv_f32(%x: tensor<?x64x?xf32>, %w: tensor<64x3xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.causal_conv1d %x, %w : (tensor<?x64x?xf32>, tensor<64x3xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

// The channels-last conv of Mamba-2 ([b, L, d]): 40 channels end in a
// part-filled vector of 16, 48 fill three; bf16 with bias, SiLU and the
// final window, f32 plain.
func.func @conv_channels_last_bf16(%x: tensor<?x?x40xbf16>, %w: tensor<40x4xbf16>, %b: tensor<40xbf16>) -> (tensor<?x?x40xbf16>, tensor<?x40x4xbf16>) {
  %y, %s = mamba.causal_conv1d %x, %w bias(%b) activation(silu) channels_last : (tensor<?x?x40xbf16>, tensor<40x4xbf16>, tensor<40xbf16>) -> (tensor<?x?x40xbf16>, tensor<?x40x4xbf16>)
  return %y, %s : tensor<?x?x40xbf16>, tensor<?x40x4xbf16>
}

func.func @conv_channels_last_f32(%x: tensor<?x?x48xf32>, %w: tensor<48x3xf32>) -> tensor<?x?x48xf32> {
  %y = mamba.causal_conv1d %x, %w channels_last : (tensor<?x?x48xf32>, tensor<48x3xf32>) -> tensor<?x?x48xf32>
  return %y : tensor<?x?x48xf32>
}

// Argmax over a vocabulary row (bf16, a length the vector divides) and over
// rows of two leading dimensions and an odd length (f32).
func.func @argmax_bf16(%x: tensor<?x1000xbf16>) -> tensor<?xi32> {
  %i = mamba.argmax %x : (tensor<?x1000xbf16>) -> tensor<?xi32>
  return %i : tensor<?xi32>
}

func.func @argmax_f32(%x: tensor<?x?x37xf32>) -> tensor<?x?xi32> {
  %i = mamba.argmax %x : (tensor<?x?x37xf32>) -> tensor<?x?xi32>
  return %i : tensor<?x?xi32>
}

// The one-token decode ops: the conv window step (bf16, K = 4, SiLU) and
// the state update with every option (f32, N = 16) and with groups (bf16).
func.func @conv_step_bf16(%s: tensor<?x96x4xbf16>, %x: tensor<?x96xbf16>, %w: tensor<96x4xbf16>, %b: tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>) {
  %y, %n = mamba.conv_state_update %s, %x, %w bias(%b) activation(silu) : (tensor<?x96x4xbf16>, tensor<?x96xbf16>, tensor<96x4xbf16>, tensor<96xbf16>) -> (tensor<?x96xbf16>, tensor<?x96x4xbf16>)
  return %y, %n : tensor<?x96xbf16>, tensor<?x96x4xbf16>
}

func.func @state_step_f32(%s: tensor<?x200x16xf32>, %x: tensor<?x200xf32>, %dt: tensor<?x200xf32>, %A: tensor<200x16xf32>, %B: tensor<?x1x16xf32>, %C: tensor<?x1x16xf32>, %D: tensor<200xf32>, %z: tensor<?x200xf32>, %bias: tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>) {
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) delta_softplus : (tensor<?x200x16xf32>, tensor<?x200xf32>, tensor<?x200xf32>, tensor<200x16xf32>, tensor<?x1x16xf32>, tensor<?x1x16xf32>, tensor<200xf32>, tensor<?x200xf32>, tensor<200xf32>) -> (tensor<?x200xf32>, tensor<?x200x16xf32>)
  return %y, %n : tensor<?x200xf32>, tensor<?x200x16xf32>
}

// The fused decode step, bf16 with a conv bias, E = 200 (a last block of 8
// channels past three of 64), R = 12 (dt_proj rows in 4-lane vectors).
func.func @selective_step_bf16(%xz: tensor<?x400xbf16>, %cs: tensor<?x200x4xbf16>, %ss: tensor<?x200x16xf32>, %wc: tensor<200x4xbf16>, %bc: tensor<200xbf16>, %wx: tensor<44x200xbf16>, %wdt: tensor<200x12xbf16>, %bdt: tensor<200xf32>, %a: tensor<200x16xf32>, %d: tensor<200xf32>) -> (tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x400xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>, tensor<200x4xbf16>, tensor<200xbf16>, tensor<44x200xbf16>, tensor<200x12xbf16>, tensor<200xf32>, tensor<200x16xf32>, tensor<200xf32>) -> (tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>)
  return %y, %c, %s : tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>
}

// f32, no conv bias, N = 32, K = 3, E = 384: six whole blocks.
func.func @selective_step_f32_n32(%xz: tensor<?x768xf32>, %cs: tensor<?x384x3xf32>, %ss: tensor<?x384x32xf32>, %wc: tensor<384x3xf32>, %wx: tensor<72x384xf32>, %wdt: tensor<384x8xf32>, %bdt: tensor<384xf32>, %a: tensor<384x32xf32>, %d: tensor<384xf32>) -> (tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x768xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>, tensor<384x3xf32>, tensor<72x384xf32>, tensor<384x8xf32>, tensor<384xf32>, tensor<384x32xf32>, tensor<384xf32>) -> (tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>)
  return %y, %c, %s : tensor<?x384xf32>, tensor<?x384x3xf32>, tensor<?x384x32xf32>
}
