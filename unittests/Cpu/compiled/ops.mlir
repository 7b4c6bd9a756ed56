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
