// A module run where it has no code says so and what to do instead,
// whatever the machine has: a GPU-only module on the CPU, a CPU-only one on
// a GPU. (Code for a CPU level above this machine's, which names the
// features it lacks, is CpuBackendTest.SaysWhatCannotRun.)
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.gpu.mmod --target=sm_80
// RUN: not mamba-run %t.gpu.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=GPU-ONLY
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.cpu.mmod --target=x86-64
// RUN: not mamba-run %t.cpu.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cuda --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=CPU-ONLY

// GPU-ONLY: mamba-run: {{.*}}.gpu.mmod has no CPU code (compiled for GPUs only): compile it with --target cpu, or run it with --device cuda on a machine with a GPU
// CPU-ONLY: mamba-run: {{.*}}.cpu.mmod has no GPU code (compiled with --target cpu?): run it with --device cpu
