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
