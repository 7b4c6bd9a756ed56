// mamba-compile --target cpu: host code ("so" images) per x86-64 level,
// the same launches as the GPU path (one thread per block), and the errors
// of what the CPU target cannot do yet.
// RUN: mamba-compile %s -o %t.mmod --target=x86-64,x86-64-v2
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s
// RUN: mamba-compile %s -o %t2.mmod --target=cpu
// RUN: mamba-mmod-dump %t2.mmod | FileCheck %s --check-prefix=HOST
// RUN: not mamba-compile %s -o %t3.mmod --target=cpu,sm_90a 2>&1 | FileCheck %s --check-prefix=MIXED
// RUN: not mamba-compile %mamba_src_root/examples/tiny-mamba.mlir -o %t4.mmod --target=cpu 2>&1 | FileCheck %s --check-prefix=OPS
// RUN: not mamba-compile %s -o %t5.mmod --target=cpu --states-per-thread=4 2>&1 | FileCheck %s --check-prefix=GPUOPT
// RUN: not mamba-compile %s -o %t5.mmod --target=cpu --sequence-splits=2 2>&1 | FileCheck %s --check-prefix=GPUOPT2

// CHECK: image 0 embed_kernel x86-64 so
// CHECK: image 1 embed_kernel x86-64-v2 so
// CHECK: function embed(i32[?], f32[16, 8]) -> (f32[arg0.0, 8])
// CHECK: launch embed_kernel::embed_kernel grid [arg0.0, 1, 1] block [1, 1, 1]
// HOST: image 0 embed_kernel x86-64{{.*}} so
// MIXED: mamba-compile: a module holds code for GPUs or for CPUs, not both yet (their launches differ): compile --target sm_90a and --target x86-64{{.*}} into two modules
// GPUOPT: mamba-compile: states-per-thread is a GPU tiling option: the CPU target keeps every state of a channel in one block and does not split the sequence
// GPUOPT2: mamba-compile: sequence-splits is a GPU tiling option
// OPS: error: 'mamba.linear' op is a GEMM, which runs as a step of a compiled model's plan
func.func @embed(%ids: tensor<?xi32>, %table: tensor<16x8xf32>) -> tensor<?x8xf32> {
  %y = mamba.embedding %ids, %table : (tensor<?xi32>, tensor<16x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
