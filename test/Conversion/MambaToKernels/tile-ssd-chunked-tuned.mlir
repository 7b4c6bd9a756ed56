// mamba-tile-ssd-chunked's `tuned` entries (mamba-compile --tuning-db sets
// them), H:P:N:G:TYPE=TC:CHUNK:BLOCK: a scan whose heads, head dimension,
// states, groups and x type have an entry takes its kernel, the chunked
// one with the entry's sizes (TC 1) or the per-step one (TC 0: left for
// mamba-tile-ssd-scan); a scan without one is tiled with the pass options
// when `untuned` is set (the default), else left alone.
// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:32:32,8:32:64:2:f16=0:0:0' -canonicalize -cse | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-chunked='tuned=4:64:128:1:bf16=1:32:32,8:32:64:2:f16=0:0:0 untuned=false' -canonicalize -cse | FileCheck %s --check-prefix=TUNEDONLY

// The entry's chunk of 32 positions and blocks of 32 channels (two warps),
// where the defaults would take blocks of 64 (four warps): 4 heads x 2
// blocks of the head's channels; B, C [32][128 + 8] and x [32][32 + 8] in
// shared memory.
// CHECK-LABEL: func.func @tuned
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (8, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (64) {
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<32x136xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<32x40xbf16, #gpu.address_space<workgroup>>
// CHECK-NOT:  mamba.ssd_scan
// CHECK:      return
// TUNEDONLY-LABEL: func.func @tuned
// TUNEDONLY:      scf.forall (%{{.*}}, %{{.*}}) in (8, %{{.*}}) {
// TUNEDONLY:        scf.forall (%{{.*}}) in (64) {
// TUNEDONLY-NOT:  mamba.ssd_scan
// TUNEDONLY:      return
func.func @tuned(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}

// -----

// The same sizes in f16: not the entry's signature (its type is bf16), so
// the pass options (blocks of 64 channels, four warps; chunks of 32, the
// largest that fits) when untuned scans are tiled, else left alone.
// CHECK-LABEL: func.func @other_type
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (4, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (128) {
// CHECK:          memref.alloc() {alignment = 16 : i64} : memref<32x136xf16, #gpu.address_space<workgroup>>
// TUNEDONLY-LABEL: func.func @other_type
// TUNEDONLY:      mamba.ssd_scan
func.func @other_type(%x: tensor<?x?x4x64xf16>, %dt: tensor<?x?x4xf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xf16>, %C: tensor<?x?x1x128xf16>) -> tensor<?x?x4x64xf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<?x?x4x64xf16>, tensor<?x?x4xf16>, tensor<4xf32>, tensor<?x?x1x128xf16>, tensor<?x?x1x128xf16>) -> tensor<?x?x4x64xf16>
  return %y : tensor<?x?x4x64xf16>
}

// -----

// A TC 0 entry (8 heads of 32, N = 64, 2 groups, f16): the per-step kernel
// measured faster, so the scan is left for mamba-tile-ssd-scan, although
// untuned scans are tiled here and the chunked kernel would take it.
// CHECK-LABEL: func.func @per_step
// CHECK-NOT:  scf.forall
// CHECK:      mamba.ssd_scan
// TUNEDONLY-LABEL: func.func @per_step
// TUNEDONLY:      mamba.ssd_scan
func.func @per_step(%x: tensor<?x?x8x32xf16>, %dt: tensor<?x?x8xf16>, %A: tensor<8xf32>, %B: tensor<?x?x2x64xf16>, %C: tensor<?x?x2x64xf16>) -> tensor<?x?x8x32xf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<?x?x8x32xf16>, tensor<?x?x8xf16>, tensor<8xf32>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16>) -> tensor<?x?x8x32xf16>
  return %y : tensor<?x?x8x32xf16>
}
