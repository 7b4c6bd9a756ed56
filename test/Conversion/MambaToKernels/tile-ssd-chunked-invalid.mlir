// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=chunk=24 2>&1 | FileCheck %s --check-prefix=BADCHUNK
// BADCHUNK: mamba-tile-ssd-chunked: chunk = 24 must be a multiple of 16 up to 128 (or 0: the largest that fits)
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=channel-block=24 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: mamba-tile-ssd-chunked: channel-block = 24 must be a multiple of 16 (or 0: up to 64)
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=channel-block=48 2>&1 | FileCheck %s --check-prefix=DIVIDE
// DIVIDE: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes: the channel block 48 is not a multiple of 16 dividing P = 64
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked=chunk=128 2>&1 | FileCheck %s --check-prefix=SHARED
// SHARED: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes: chunks of 128 positions with 64 channels a block need 124416 bytes of shared memory, more than 49152

// Tuned entries (H:P:N:G:TYPE=TC:CHUNK:BLOCK) that cannot be read, and
// entries of the scans' signatures whose sizes the scan cannot take: errors
// naming the entry, never a scan tiled some other way.
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:bf16=1:32:32' 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: error: mamba-tile-ssd-chunked: tuned SSD scan '4:64:128:bf16=1:32:32': expected H:P:N:G:TYPE=TC:CHUNK:BLOCK with TYPE f32, bf16 or f16 and TC 1 (the chunked tensor-core kernel; CHUNK and BLOCK 0 for its choice) or 0 (the per-step kernel; CHUNK and BLOCK 0), like 24:64:128:1:bf16=1:64:64
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=2:32:32' 2>&1 | FileCheck %s --check-prefix=KERNEL
// KERNEL: error: mamba-tile-ssd-chunked: tuned SSD scan '4:64:128:1:bf16=2:32:32': expected H:P:N:G:TYPE=TC:CHUNK:BLOCK
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=0:32:32' 2>&1 | FileCheck %s --check-prefix=PERSTEP
// PERSTEP: error: mamba-tile-ssd-chunked: tuned SSD scan '4:64:128:1:bf16=0:32:32': expected
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:24:64' 2>&1 | FileCheck %s --check-prefix=TUNEDCHUNK
// TUNEDCHUNK: error: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes of the tuned entry '4:64:128:1:bf16=1:24:64': chunk = 24 must be a multiple of 16 up to 128 (or 0: the largest that fits)
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:32:48' 2>&1 | FileCheck %s --check-prefix=TUNEDBLOCK
// TUNEDBLOCK: error: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes of the tuned entry '4:64:128:1:bf16=1:32:48': the channel block 48 is not a multiple of 16 dividing P = 64
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:128:64' 2>&1 | FileCheck %s --check-prefix=TUNEDSHARED
// TUNEDSHARED: error: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes of the tuned entry '4:64:128:1:bf16=1:128:64': chunks of 128 positions with 64 channels a block need 124416 bytes of shared memory, more than 49152
// An f32 scan's entry names the per-step kernel or none: the chunked one
// is for 16-bit scans.
// RUN: not mamba-opt %s -mamba-tile-ssd-chunked='tuned=4:64:128:1:f32=1:0:0' 2>&1 | FileCheck %s --check-prefix=TUNEDF32
// TUNEDF32: error: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes of the tuned entry '4:64:128:1:f32=1:0:0': x, B and C are not all bf16 or all f16

// Explicit sizes that a 16-bit scan cannot take are an error; an f32 scan
// is not the kernel's, whatever the sizes.
func.func @scan(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %xf: tensor<?x?x4x64xf32>, %dtf: tensor<?x?x4xf32>, %Bf: tensor<?x?x1x128xf32>) -> (tensor<?x?x4x64xbf16>, tensor<?x?x4x64xf32>) {
  %y = mamba.ssd_scan %xf, %dtf, %A, %Bf, %Bf : (tensor<?x?x4x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>, tensor<?x?x1x128xf32>, tensor<?x?x1x128xf32>) -> tensor<?x?x4x64xf32>
  %y2 = mamba.ssd_scan %x, %dt, %A, %B, %B : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y2, %y : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xf32>
}
