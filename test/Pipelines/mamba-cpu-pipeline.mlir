// The second case fails the run, so the output and the error are checked
// apart.
// RUN: not mamba-opt %s --split-input-file --mamba-cpu-pipeline 2>/dev/null | FileCheck %s
// RUN: not mamba-opt %s --split-input-file --mamba-cpu-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=NOCPU

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

// Ops whose tiling has no CPU form yet are named, not run wrongly.
// NOCPU: error: 'mamba.rms_norm' op has no CPU lowering yet (the cpu target lowers mamba.embedding so far)
func.func @norm(%x: tensor<?x8xf32>, %w: tensor<8xf32>) -> tensor<?x8xf32> {
  %y = mamba.rms_norm %x, %w : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
