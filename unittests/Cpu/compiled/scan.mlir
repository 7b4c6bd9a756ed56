// Selective scans for the CPU tests (CpuScanTest.cpp reads the same
// table): N from 1 to 256, one and two groups, channel counts that are
// not a multiple of the block's lanes, each optional operand with and
// without the others, initial and final states, f32 and bf16.
// Generated once by hand; keep in step with the test's cases.

func.func @scan_f32_all_n16(%u: tensor<?x20x?xf32>, %delta: tensor<?x20x?xf32>, %A: tensor<20x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>, %D: tensor<20xf32>, %z: tensor<?x20x?xf32>, %bias: tensor<20xf32>, %h0: tensor<?x20x16xf32>) -> (tensor<?x20x?xf32>, tensor<?x20x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%bias) initial_state(%h0) delta_softplus
      : (tensor<?x20x?xf32>, tensor<?x20x?xf32>, tensor<20x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>, tensor<20xf32>, tensor<?x20x?xf32>, tensor<20xf32>, tensor<?x20x16xf32>) -> (tensor<?x20x?xf32>, tensor<?x20x16xf32>)
  return %y, %h : tensor<?x20x?xf32>, tensor<?x20x16xf32>
}

func.func @scan_f32_bare_n1(%u: tensor<?x20x?xf32>, %delta: tensor<?x20x?xf32>, %A: tensor<20x1xf32>, %B: tensor<?x1x1x?xf32>, %C: tensor<?x1x1x?xf32>) -> tensor<?x20x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x20x?xf32>, tensor<?x20x?xf32>, tensor<20x1xf32>, tensor<?x1x1x?xf32>, tensor<?x1x1x?xf32>) -> tensor<?x20x?xf32>
  return %y : tensor<?x20x?xf32>
}

func.func @scan_f32_d_n4_groups(%u: tensor<?x36x?xf32>, %delta: tensor<?x36x?xf32>, %A: tensor<36x4xf32>, %B: tensor<?x2x4x?xf32>, %C: tensor<?x2x4x?xf32>, %D: tensor<36xf32>) -> tensor<?x36x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D)
      : (tensor<?x36x?xf32>, tensor<?x36x?xf32>, tensor<36x4xf32>, tensor<?x2x4x?xf32>, tensor<?x2x4x?xf32>, tensor<36xf32>) -> tensor<?x36x?xf32>
  return %y : tensor<?x36x?xf32>
}

func.func @scan_f32_z_n64(%u: tensor<?x12x?xf32>, %delta: tensor<?x12x?xf32>, %A: tensor<12x64xf32>, %B: tensor<?x1x64x?xf32>, %C: tensor<?x1x64x?xf32>, %z: tensor<?x12x?xf32>, %h0: tensor<?x12x64xf32>) -> (tensor<?x12x?xf32>, tensor<?x12x64xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C z(%z) initial_state(%h0) delta_softplus
      : (tensor<?x12x?xf32>, tensor<?x12x?xf32>, tensor<12x64xf32>, tensor<?x1x64x?xf32>, tensor<?x1x64x?xf32>, tensor<?x12x?xf32>, tensor<?x12x64xf32>) -> (tensor<?x12x?xf32>, tensor<?x12x64xf32>)
  return %y, %h : tensor<?x12x?xf32>, tensor<?x12x64xf32>
}

func.func @scan_f32_all_n256(%u: tensor<?x9x?xf32>, %delta: tensor<?x9x?xf32>, %A: tensor<9x256xf32>, %B: tensor<?x1x256x?xf32>, %C: tensor<?x1x256x?xf32>, %D: tensor<9xf32>, %z: tensor<?x9x?xf32>, %bias: tensor<9xf32>) -> tensor<?x9x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%bias) delta_softplus
      : (tensor<?x9x?xf32>, tensor<?x9x?xf32>, tensor<9x256xf32>, tensor<?x1x256x?xf32>, tensor<?x1x256x?xf32>, tensor<9xf32>, tensor<?x9x?xf32>, tensor<9xf32>) -> tensor<?x9x?xf32>
  return %y : tensor<?x9x?xf32>
}

func.func @scan_bf16_z_n4_groups(%u: tensor<?x32x?xbf16>, %delta: tensor<?x32x?xbf16>, %A: tensor<32x4xf32>, %B: tensor<?x2x4x?xbf16>, %C: tensor<?x2x4x?xbf16>, %z: tensor<?x32x?xbf16>) -> tensor<?x32x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C z(%z)
      : (tensor<?x32x?xbf16>, tensor<?x32x?xbf16>, tensor<32x4xf32>, tensor<?x2x4x?xbf16>, tensor<?x2x4x?xbf16>, tensor<?x32x?xbf16>) -> tensor<?x32x?xbf16>
  return %y : tensor<?x32x?xbf16>
}

func.func @scan_bf16_all_n16(%u: tensor<?x20x?xbf16>, %delta: tensor<?x20x?xbf16>, %A: tensor<20x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<20xf32>, %z: tensor<?x20x?xbf16>, %bias: tensor<20xf32>, %h0: tensor<?x20x16xf32>) -> (tensor<?x20x?xbf16>, tensor<?x20x16xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%bias) initial_state(%h0) delta_softplus
      : (tensor<?x20x?xbf16>, tensor<?x20x?xbf16>, tensor<20x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<20xf32>, tensor<?x20x?xbf16>, tensor<20xf32>, tensor<?x20x16xf32>) -> (tensor<?x20x?xbf16>, tensor<?x20x16xf32>)
  return %y, %h : tensor<?x20x?xbf16>, tensor<?x20x16xf32>
}

func.func @scan_bf16_n64_groups(%u: tensor<?x48x?xbf16>, %delta: tensor<?x48x?xbf16>, %A: tensor<48x64xf32>, %B: tensor<?x2x64x?xbf16>, %C: tensor<?x2x64x?xbf16>, %D: tensor<48xf32>, %bias: tensor<48xf32>) -> tensor<?x48x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) delta_bias(%bias) delta_softplus
      : (tensor<?x48x?xbf16>, tensor<?x48x?xbf16>, tensor<48x64xf32>, tensor<?x2x64x?xbf16>, tensor<?x2x64x?xbf16>, tensor<48xf32>, tensor<48xf32>) -> tensor<?x48x?xbf16>
  return %y : tensor<?x48x?xbf16>
}

func.func @scan_bf16_all_n1(%u: tensor<?x20x?xbf16>, %delta: tensor<?x20x?xbf16>, %A: tensor<20x1xf32>, %B: tensor<?x1x1x?xbf16>, %C: tensor<?x1x1x?xbf16>, %D: tensor<20xf32>, %z: tensor<?x20x?xbf16>, %bias: tensor<20xf32>) -> tensor<?x20x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%bias) delta_softplus
      : (tensor<?x20x?xbf16>, tensor<?x20x?xbf16>, tensor<20x1xf32>, tensor<?x1x1x?xbf16>, tensor<?x1x1x?xbf16>, tensor<20xf32>, tensor<?x20x?xbf16>, tensor<20xf32>) -> tensor<?x20x?xbf16>
  return %y : tensor<?x20x?xbf16>
}

func.func @scan_bf16_z_n256(%u: tensor<?x10x?xbf16>, %delta: tensor<?x10x?xbf16>, %A: tensor<10x256xf32>, %B: tensor<?x1x256x?xbf16>, %C: tensor<?x1x256x?xbf16>, %z: tensor<?x10x?xbf16>, %h0: tensor<?x10x256xf32>) -> (tensor<?x10x?xbf16>, tensor<?x10x256xf32>) {
  %y, %h = mamba.selective_scan %u, %delta, %A, %B, %C z(%z) initial_state(%h0)
      : (tensor<?x10x?xbf16>, tensor<?x10x?xbf16>, tensor<10x256xf32>, tensor<?x1x256x?xbf16>, tensor<?x1x256x?xbf16>, tensor<?x10x?xbf16>, tensor<?x10x256xf32>) -> (tensor<?x10x?xbf16>, tensor<?x10x256xf32>)
  return %y, %h : tensor<?x10x?xbf16>, tensor<?x10x256xf32>
}
