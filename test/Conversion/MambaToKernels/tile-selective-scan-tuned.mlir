// The scan tiling pass's tuned tilings (mamba-compile --tuning-db sets
// them): `tuned` gives a scan without a tiling of its own the entry of its
// signature (d:N:G:type); `tuned-split` replaces the tiling of a model's
// split-variant scan (marked mamba.split_variant by mamba-outline-kernels);
// a scan's own tiling otherwise wins, and a scan without an entry gets the
// pass options. The entries have no commas, so they pass as text.
// RUN: mamba-opt %s --mamba-tile-selective-scan='tuned=32:16:1:f32=8:4:16:1 tuned-split=32:16:1:f32=16:8:32:4' | FileCheck %s
// RUN: not mamba-opt %s --mamba-tile-selective-scan='tuned=32:16:1:f64=8:4:16:1' 2>&1 | FileCheck %s --check-prefix=BADTYPE
// RUN: not mamba-opt %s --mamba-tile-selective-scan='tuned=32,16,1,f32=8,4,16,1' 2>&1 | FileCheck %s --check-prefix=COMMAS

// CHECK-LABEL: func.func @tuned
// CHECK: mamba.tiling = #mamba.scan_tiling<channels_per_block = 8, states_per_thread = 4, chunk_length = 16>
func.func @tuned(%u: tensor<1x32x8xf32>, %delta: tensor<1x32x8xf32>, %A: tensor<32x16xf32>, %B: tensor<1x1x16x8xf32>, %C: tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C : (tensor<1x32x8xf32>, tensor<1x32x8xf32>, tensor<32x16xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32>
  return %y : tensor<1x32x8xf32>
}

// CHECK-LABEL: func.func @own_tiling
// CHECK: mamba.tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 16, chunk_length = 8>
func.func @own_tiling(%u: tensor<1x32x8xf32>, %delta: tensor<1x32x8xf32>, %A: tensor<32x16xf32>, %B: tensor<1x1x16x8xf32>, %C: tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 16, chunk_length = 8>} : (tensor<1x32x8xf32>, tensor<1x32x8xf32>, tensor<32x16xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32>
  return %y : tensor<1x32x8xf32>
}

// CHECK-LABEL: func.func @split_variant
// CHECK: mamba.tiling = #mamba.scan_tiling<channels_per_block = 16, states_per_thread = 8, chunk_length = 32, sequence_splits = 4>
func.func @split_variant(%u: tensor<1x32x8xf32>, %delta: tensor<1x32x8xf32>, %A: tensor<32x16xf32>, %B: tensor<1x1x16x8xf32>, %C: tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>, mamba.split_variant} : (tensor<1x32x8xf32>, tensor<1x32x8xf32>, tensor<32x16xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x32x8xf32>
  return %y : tensor<1x32x8xf32>
}

// A split variant of a signature without a tuned-split entry keeps its own.
// CHECK-LABEL: func.func @split_variant_untuned
// CHECK: mamba.tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>
func.func @split_variant_untuned(%u: tensor<1x64x8xf32>, %delta: tensor<1x64x8xf32>, %A: tensor<64x16xf32>, %B: tensor<1x1x16x8xf32>, %C: tensor<1x1x16x8xf32>) -> tensor<1x64x8xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>, mamba.split_variant} : (tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<64x16xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x64x8xf32>
  return %y : tensor<1x64x8xf32>
}

// Another signature (64 channels): the pass options (64 a block, all 16
// states a thread, 16-step chunks).
// CHECK-LABEL: func.func @other_signature
// CHECK: mamba.tiling = #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 16, chunk_length = 16>
func.func @other_signature(%u: tensor<1x64x8xf32>, %delta: tensor<1x64x8xf32>, %A: tensor<64x16xf32>, %B: tensor<1x1x16x8xf32>, %C: tensor<1x1x16x8xf32>) -> tensor<1x64x8xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C : (tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<64x16xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) -> tensor<1x64x8xf32>
  return %y : tensor<1x64x8xf32>
}

// BADTYPE: error: tuned tiling '32:16:1:f64=8:4:16:1': expected D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS with TYPE f32, bf16 or f16, like 1536:16:1:bf16=64:0:16:1
// COMMAS: error: tuned tiling '32': expected D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS
