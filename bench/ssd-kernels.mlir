// The SSD benchmark's problems (bench/SsdBench.cpp; ../shared/design/
// PERFORMANCE.md's Mamba-2 row, as bench/peer/ssd_peer.py times mamba_ssm's
// Triton version): bf16 x, dt, B, C, z and y; f32 A, D and dt_bias per head;
// softplus; one group of N = 128, P = 64; the heads of mamba2-130m (24) and
// mamba2-2.7b (80). Batch and length are left open.
func.func @ssd_h24(%x: tensor<?x?x24x64xbf16>, %dt: tensor<?x?x24xbf16>, %A: tensor<24xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>, %D: tensor<24xf32>, %z: tensor<?x?x24x64xbf16>, %bias: tensor<24xf32>) -> tensor<?x?x24x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {chunk_size = 256 : i64} : (tensor<?x?x24x64xbf16>, tensor<?x?x24xbf16>, tensor<24xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>, tensor<24xf32>, tensor<?x?x24x64xbf16>, tensor<24xf32>) -> tensor<?x?x24x64xbf16>
  return %y : tensor<?x?x24x64xbf16>
}

func.func @ssd_h80(%x: tensor<?x?x80x64xbf16>, %dt: tensor<?x?x80xbf16>, %A: tensor<80xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>, %D: tensor<80xf32>, %z: tensor<?x?x80x64xbf16>, %bias: tensor<80xf32>) -> tensor<?x?x80x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus {chunk_size = 256 : i64} : (tensor<?x?x80x64xbf16>, tensor<?x?x80xbf16>, tensor<80xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>, tensor<80xf32>, tensor<?x?x80x64xbf16>, tensor<80xf32>) -> tensor<?x?x80x64xbf16>
  return %y : tensor<?x?x80x64xbf16>
}
