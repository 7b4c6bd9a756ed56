// Asking for a GPU on a machine without one is an error saying why no GPU
// is usable, for `cuda` and `cuda:N` alike (with a GPU, cuda:N past the
// count names the count). `auto` with a GPU-only module says what to do.
// UNSUPPORTED: cuda-gpu
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.mmod --target=sm_80
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cuda --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=CUDA
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cuda:3 --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=CUDA
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device auto --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=AUTO

// CUDA: mamba-run: --device cuda: no usable GPU: {{.+}}
// AUTO: mamba-run: {{.*}}.mmod has no CPU code (compiled for GPUs only): compile it with --target cpu, or run it with --device cuda on a machine with a GPU ({{.+}})
