// RUN: mamba-opt %s -mamba-tile-ssd-chunked -verify-diagnostics

// An ssd_scan's #mamba.ssd_kernel that the scan cannot take is an error
// naming it, never a scan tiled some other way: blocks of 48 channels do
// not divide P = 64.
func.func @unfit(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  // expected-error @+1 {{cannot take the chunked kernel's sizes of its kernel attribute: the channel block 48 is not a multiple of 16 dividing P = 64}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 32, channel_block = 48>} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}
