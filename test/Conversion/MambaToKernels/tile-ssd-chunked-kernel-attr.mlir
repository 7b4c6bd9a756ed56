// An ssd_scan's #mamba.ssd_kernel (what the Python ops take from a tuning
// database) chooses its kernel before the pass's tuned entries and options:
// the chunked one with its sizes, or the per-step one (left for
// mamba-tile-ssd-scan), even where an entry or untuned tiling would say
// otherwise. (A choice the scan cannot take: -invalid.mlir.)
// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:64:64' -canonicalize -cse | FileCheck %s

// The attribute's chunks of 16 and blocks of 32 channels, not the entry's
// 64 and 64: 4 heads x 2 blocks, two warps; B, C [16][128 + 8].
// CHECK-LABEL: func.func @attribute_first
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (8, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (64) {
// CHECK:          memref.alloc() {alignment = 16 : i64} : memref<16x136xbf16, #gpu.address_space<workgroup>>
// CHECK-NOT:  mamba.ssd_scan
func.func @attribute_first(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 16, channel_block = 32>} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}

// -----

// tensor_cores = 0: the per-step kernel, although the entry names the
// chunked one for this signature.
// CHECK-LABEL: func.func @per_step
// CHECK:      mamba.ssd_scan {{.*}}kernel = #mamba.ssd_kernel<tensor_cores = 0, chunk = 0, channel_block = 0>
func.func @per_step(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {kernel = #mamba.ssd_kernel<tensor_cores = 0, chunk = 0, channel_block = 0>} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}
