// Ops that a target's tiling does not turn into a kernel are an error naming
// the op, before bufferization or a later lowering could fail obscurely: a
// GEMM in kernel-only IR (it runs as a step of a compiled model). No file
// is left. Every Mamba-2 kernel op compiles for the GPU: the SSD scan below
// (the per-step recurrence so far), the gated norm, the decode step and the
// channels-last conv.
// RUN: rm -f %t.mmod
// RUN: not mamba-compile %mamba_src_root/examples/tiny-mamba.mlir -o %t.mmod --target=sm_90a 2>&1 | FileCheck %s --check-prefix=GEMM
// RUN: not test -e %t.mmod
// RUN: mamba-compile %s -o %t.scan.mmod --target=sm_90a
// RUN: mamba-mmod-dump %t.scan.mmod | FileCheck %s --check-prefix=SCAN
// SCAN: launch ssd_kernel::ssd_kernel grid [1, 1, 1] block [128, 1, 1]
// RUN: mamba-compile %S/Inputs/rms-norm-gated.mlir -o %t.norm.mmod --target=sm_90a
// RUN: mamba-mmod-dump %t.norm.mmod | FileCheck %s --check-prefix=NORM
// NORM: launch norm_kernel::norm_kernel grid [2, 2, 1] block [32, 1, 1]
// RUN: mamba-compile %S/Inputs/ssd-state-update.mlir -o %t.step.mmod --target=sm_90a
// RUN: mamba-mmod-dump %t.step.mmod | FileCheck %s --check-prefix=STEP
// STEP: launch step_kernel::step_kernel grid [1, 1, 1] block [128, 1, 1]
// RUN: mamba-compile %S/Inputs/conv-channels-last.mlir -o %t.conv.mmod --target=sm_90a
// RUN: mamba-mmod-dump %t.conv.mmod | FileCheck %s --check-prefix=CONV
// CONV: launch conv_kernel::conv_kernel grid [1, 1, 1] block [128, 1, 1]

// GEMM: error: 'mamba.linear' op is a GEMM, which runs as a step of a compiled model's plan (cuBLASLt on the GPU), not as a kernel: compile the model directory

func.func @ssd(%x: tensor<1x16x2x8xf32>, %dt: tensor<1x16x2xf32>,
               %A: tensor<2xf32>, %B: tensor<1x16x1x4xf32>,
               %C: tensor<1x16x1x4xf32>) -> tensor<1x16x2x8xf32> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C dt_softplus {chunk_size = 8 : i64}
      : (tensor<1x16x2x8xf32>, tensor<1x16x2xf32>, tensor<2xf32>,
         tensor<1x16x1x4xf32>, tensor<1x16x1x4xf32>) -> tensor<1x16x2x8xf32>
  return %y : tensor<1x16x2x8xf32>
}
