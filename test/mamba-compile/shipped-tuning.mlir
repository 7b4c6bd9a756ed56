// Without --tuning-db, mamba-compile uses the shipped databases (tuning/)
// that have entries for the target and the module's scans: the 130m scan's
// signature (d = 1536, N = 16) has f32 and bf16 entries for x86-64-v3 and a
// bf16 one for sm_90a (measured on an H100); --no-tuning-db and tiling
// options leave the defaults; a target no database covers (sm_80) gets no
// note. The notes name only the module's signatures (not the 4096 or 5120
// entries of the same files).
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-bucket 4x512 2>&1 | FileCheck %s --check-prefix=SHIPPED
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --no-tuning-db 2>&1 | count 0
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --chunk-length=16 2>&1 | count 0
// RUN: mamba-compile %s -o %t.mmod --target=sm_90a --tuning-bucket 8x2048 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s --check-prefix=GPUKERNEL
// RUN: mamba-compile %s -o %t.mmod --target=sm_90a --no-tuning-db 2>&1 | count 0
// RUN: mamba-compile %s -o %t.mmod --target=sm_80 2>&1 | count 0

// SHIPPED: mamba-compile: tuning: the shipped database {{.*}}tuning/cpu-x86-64-v3.json has entries for x86-64-v3
// SHIPPED-NOT: 4096:16
// SHIPPED: mamba-compile: tuning: selective_scan 1536:16:1:f32={{[0-9]+}}:16:{{[0-9]+}}:1 for x86-64-v3 (bucket 4x512:
// SHIPPED-NOT: 4096:16
// SHIPPED: mamba-compile: tuning: selective_scan 1536:16:1:bf16={{[0-9]+}}:16:{{[0-9]+}}:1 for x86-64-v3 (bucket 4x512:
// SHIPPED-NOT: 5120:16
// GPU: mamba-compile: tuning: the shipped database {{.*}}tuning/sm_90a-h100.json has entries for sm_90a (measured on NVIDIA H100
// GPU-NOT: 4096:16
// GPU: mamba-compile: tuning: selective_scan 1536:16:1:bf16={{[0-9]+}}:{{[0-9]+}}:{{[0-9]+}}:{{[0-9]+}} for sm_90a (bucket 8x2048:
// GPU-NOT: selective_scan
// The f32 scan keeps the default tiling (64 channels a block: 24 blocks);
// the bf16 scan takes the 8x2048 entry's (32 channels of 4 threads).
// GPUKERNEL: launch {{.*}}scan_f32{{.*}} grid [24, arg0.0, 1]
// GPUKERNEL: launch {{.*}}scan_bf16{{.*}} grid [48, arg0.0, 1] block [128, 1, 1]
func.func @scan_f32(%u: tensor<?x1536x?xf32>, %delta: tensor<?x1536x?xf32>, %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xf32>, %C: tensor<?x1x16x?xf32>) -> tensor<?x1536x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x1536x?xf32>, tensor<?x1536x?xf32>, tensor<1536x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x1536x?xf32>
  return %y : tensor<?x1536x?xf32>
}

func.func @scan_bf16(%u: tensor<?x1536x?xbf16>, %delta: tensor<?x1536x?xbf16>, %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>) -> tensor<?x1536x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x1536x?xbf16>, tensor<?x1536x?xbf16>, tensor<1536x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>) -> tensor<?x1536x?xbf16>
  return %y : tensor<?x1536x?xbf16>
}
