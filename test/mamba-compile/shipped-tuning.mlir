// Without --tuning-db, mamba-compile uses the shipped databases (tuning/)
// that have entries for the target: the 130m scan's signature (d = 1536,
// N = 16, f32) has one for x86-64-v3; --no-tuning-db and tiling options
// leave the defaults; GPU targets do not use the shipped databases by
// default (tuning/sm_90a-h100.json covers this signature in bf16 only, and
// is used when asked for).
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-bucket 4x512 2>&1 | FileCheck %s --check-prefix=SHIPPED
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --no-tuning-db 2>&1 | count 0
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --chunk-length=16 2>&1 | count 0
// RUN: mamba-compile %s -o %t.mmod --target=sm_90a 2>&1 | count 0

// SHIPPED: mamba-compile: tuning: the shipped database {{.*}}tuning/cpu-x86-64-v3.json has entries for x86-64-v3
// SHIPPED: mamba-compile: tuning: selective_scan 1536:16:1:f32={{[0-9]+}}:16:{{[0-9]+}}:1 for x86-64-v3 (bucket 4x512:
func.func @scan(%u: tensor<?x1536x?xf32>, %delta: tensor<?x1536x?xf32>, %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>) -> tensor<?x1536x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x1536x?xf32>, tensor<?x1536x?xf32>, tensor<1536x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x1536x?xf32>
  return %y : tensor<?x1536x?xf32>
}
