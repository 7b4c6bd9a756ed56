// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=chunk=24 2>&1 | FileCheck %s --check-prefix=CHUNK
// CHUNK: mamba-tile-ssd-chunked: chunk = 24 must be a multiple of 16 up to 128 (or 0: the largest that fits)
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=channel-block=24 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: mamba-tile-ssd-chunked: channel-block = 24 must be a multiple of 16 (or 0: up to 64)
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=channel-block=48 2>&1 | FileCheck %s --check-prefix=DIVIDE
// DIVIDE: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes: the channel block 48 is not a multiple of 16 dividing P = 64
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=chunk=128 2>&1 | FileCheck %s --check-prefix=SHARED
// SHARED: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes: no chunk fits 49152 bytes of shared memory

// Explicit sizes that a 16-bit scan cannot take are an error; an f32 scan
// is not the kernel's, whatever the sizes.
func.func @scan(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %xf: tensor<?x?x4x64xf32>, %dtf: tensor<?x?x4xf32>, %Bf: tensor<?x?x1x128xf32>) -> (tensor<?x?x4x64xbf16>, tensor<?x?x4x64xf32>) {
  %y = mamba.ssd_scan %xf, %dtf, %A, %Bf, %Bf : (tensor<?x?x4x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x128xf32>, tensor<?x?x1x128xf32>) -> tensor<?x?x4x64xf32>
  %y2 = mamba.ssd_scan %x, %dt, %A, %B, %B : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y2, %y : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xf32>
}
