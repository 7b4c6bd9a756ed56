// A model whose weights (67 GiB in f32: a 2M x 8192 embedding table) do not
// fit in this machine's memory is an error naming the size and the module,
// on the real CPU backend, not a crash. The checkpoint is a sparse file of
// the right length (make-checkpoint-shapes.py), so nothing is written or
// read but its header.
// REQUIRES: large-allocations-fail
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %mamba_src_root/scripts/make-checkpoint-shapes.py %S/Inputs/weights-67gib.json %t/model
// RUN: mamba-compile %t/model -o %t/big.mmod --target=cpu
// RUN: not mamba-run %t/big.mmod --weights %t/model --device cpu --prompt-ids 1 2>&1 | FileCheck %s
// RUN: rm -rf %t

// CHECK: mamba-run: allocating 67140.5 MiB for the weights of {{.*}}big.mmod: out of host memory for 70401916928 bytes
