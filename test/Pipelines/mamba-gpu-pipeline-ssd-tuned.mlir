// mamba-gpu-pipeline's `ssd-tuned` (mamba-compile --tuning-db sets it)
// brings in mamba-tile-ssd-chunked without `ssd-tensor-cores`: the SSD scan
// of the entry's signature becomes the chunked tensor-core kernel at the
// entry's sizes, the others stay the per-step recurrence.
// RUN: mamba-opt %s --mamba-gpu-pipeline="chip=sm_90a format=isa ssd-tuned=4:64:128:1:bf16=1:32:32" | FileCheck %s

// The entry's blocks of 32 channels: two warps, mma.sync in the PTX.
// CHECK-LABEL: func.func @tuned
// CHECK:       gpu.launch_func @tuned_kernel::@tuned_kernel blocks in (%c8, %{{.*}}, %c1) threads in (%c64, %c1, %c1)
// CHECK:       gpu.binary @tuned_kernel
// CHECK-SAME:  mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
func.func @tuned(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C dt_softplus : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}

// The same sizes in f16 have no entry: the per-step kernel, no mma.sync.
// CHECK-LABEL: func.func @untuned
// CHECK:       gpu.launch_func @untuned_kernel::@untuned_kernel blocks in (%{{.*}}, %{{.*}}, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.binary @untuned_kernel
// CHECK-NOT:   mma.sync
func.func @untuned(%x: tensor<?x?x4x64xf16>, %dt: tensor<?x?x4xf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xf16>, %C: tensor<?x?x1x128xf16>) -> tensor<?x?x4x64xf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C dt_softplus : (tensor<?x?x4x64xf16>, tensor<?x?x4xf16>, tensor<4xf32>, tensor<?x?x1x128xf16>, tensor<?x?x1x128xf16>) -> tensor<?x?x4x64xf16>
  return %y : tensor<?x?x4x64xf16>
}
