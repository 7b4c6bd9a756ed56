// The second case fails the run, so the output and the error are checked
// apart.
// RUN: not mamba-opt %s --split-input-file --mamba-cpu-pipeline 2>/dev/null | FileCheck %s
// RUN: not mamba-opt %s --split-input-file --mamba-cpu-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=NOCPU
// The scan's CPU tiles as pipeline options: 4 lanes, 8-step chunks.
// RUN: not mamba-opt %s --split-input-file --mamba-cpu-pipeline="channels-per-block=4 chunk-length=8" 2>/dev/null | FileCheck %s --check-prefix=TILES

// The CPU target tiles with one thread per block and outlines as the GPU
// pipeline does: a gpu.module kernel per op, launched with 1x1x1 blocks,
// that compileHostKernels turns into host code.
// CHECK-LABEL: func.func @embed
// CHECK: gpu.launch_func @embed_kernel::@embed_kernel blocks in ({{.*}}) threads in (%[[ONE:.*]], %[[ONE]], %[[ONE]])
// CHECK: gpu.module @embed_kernel
// CHECK: gpu.func @embed_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 1, 1, 1>}
// CHECK: scf.for
// CHECK-NOT: gpu.barrier
// CHECK-NOT: gpu.shuffle
func.func @embed(%ids: tensor<?xi32>, %table: tensor<16x8xf32>) -> tensor<?x8xf32> {
  %y = mamba.embedding %ids, %table : (tensor<?xi32>, tensor<16x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A norm: a block per row, its one thread summing the squares itself.
// CHECK-LABEL: func.func @norm
// CHECK: gpu.func @norm_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 1, 1, 1>}
// CHECK-NOT: gpu.barrier
// CHECK: math.rsqrt
func.func @norm(%x: tensor<?x8xf32>, %w: tensor<8xf32>, %r: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %y, %ro = mamba.rms_norm %x, %w residual(%r) : (tensor<?x8xf32>, tensor<8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>)
  return %y, %ro : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

// A scan: a block per 8 channels of a batch element, the channels the
// lanes of its vectors (mamba-tile-selective-scan-cpu); nothing staged in
// shared memory, no shuffles.
// CHECK-LABEL: func.func @scan
// CHECK: gpu.launch_func @scan_kernel::@scan_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%[[ONE:.*]], %[[ONE]], %[[ONE]])
// CHECK: gpu.module @scan_kernel
// CHECK: gpu.func @scan_kernel({{.*}}) kernel attributes {known_block_size = array<i32: 1, 1, 1>}
// CHECK: memref.alloca() : memref<16x8xf32>
// CHECK: math.exp2 {{.*}} : vector<8xf32>
// TILES-LABEL: func.func @scan
// TILES: memref.alloca() : memref<16x4xf32>
// TILES: memref.alloca() : memref<8x4xf32>
// TILES: math.exp2 {{.*}} : vector<4xf32>
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: workgroup
func.func @scan(%u: tensor<?x64x?xf32>, %delta: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

// -----

// A scan tiled for a GPU (threads sharing a channel reduce with shuffles)
// is refused rather than compiled wrongly.
// NOCPU: error: 'mamba.selective_scan' op has a GPU tiling (#mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>); the CPU tiling keeps all N = 16 states of a channel in one block (states_per_thread = 16) and does not split the sequence (sequence_splits = 1)
func.func @gpu_scan(%u: tensor<?x64x?xf32>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32> {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>}
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %y : tensor<?x64x?xf32>
}

// -----

// The fused decode step: two kernels of one-thread blocks
// (mamba-tile-selective-step-cpu), x_proj's partial sums between them.
// CHECK-LABEL: func.func @step
// CHECK-COUNT-2: gpu.launch_func {{.*}} threads in (%[[ONE:.*]], %[[ONE]], %[[ONE]])
// CHECK-NOT: gpu.barrier
func.func @step(%xz: tensor<?x384xbf16>, %cs: tensor<?x192x4xbf16>, %ss: tensor<?x192x16xf32>, %wc: tensor<192x4xbf16>, %bc: tensor<192xbf16>, %wx: tensor<44x192xbf16>, %wdt: tensor<192x12xbf16>, %bdt: tensor<192xf32>, %a: tensor<192x16xf32>, %d: tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x384xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>, tensor<192x4xbf16>, tensor<192xbf16>, tensor<44x192xbf16>, tensor<192x12xbf16>, tensor<192xf32>, tensor<192x16xf32>, tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>)
  return %y, %c, %s : tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>
}
