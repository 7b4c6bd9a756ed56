// mamba-compile --tuning-db on a GPU model: its scans have two variants the
// runtime picks by batch (the split-sequence one for batches too small to
// fill the GPU), and each takes its own entry: the large-batch variant the
// entry nearest batch 16, the split variant the one nearest batch 1 (both
// at --tuning-bucket's length). Without a database both keep the defaults.
// RUN: mamba-compile %S/../data/golden/model-tiny -o %t.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-model.json 2>&1 | FileCheck %s --check-prefix=NOTES
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s --check-prefix=TUNED
// RUN: mamba-compile %S/../data/golden/model-tiny -o %t3.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-model.json 2>&1 | FileCheck %s --check-prefix=IGNORED
// RUN: mamba-compile %S/../data/golden/model-tiny -o %t2.mmod --target=sm_90a
// RUN: mamba-mmod-dump %t2.mmod | FileCheck %s --check-prefix=DEFAULT

// NOTES-DAG: tuning: selective_scan 128:16:1:f32=16:4:32:1 (large batches) for sm_90a (bucket 16x2048
// NOTES-DAG: tuning: selective_scan 128:16:1:f32=32:8:16:4 (split variant) for sm_90a (bucket 1x2048

// The entry of an older code generation is ignored, and said so once
// although the model looks the database up twice.
// IGNORED: tuning: ignored a selective_scan entry for sm_90a measured with code generation version 1 (this compiler: 2)
// IGNORED-NOT: ignored a selective_scan entry

// 128 channels in blocks of 16 with 4 threads a channel; the split variant
// in blocks of 32 with 2 a channel, the sequence in 4 (its first pass runs
// the first 3 segments).
// TUNED: launch k3_selective_scan_kernel::k3_selective_scan_kernel grid [8, arg0.0, 1] block [64, 1, 1]
// TUNED: launch k4_selective_scan_kernel::k4_selective_scan_kernel grid [4, arg0.0, 3] block [64, 1, 1]
// TUNED: launch k4_selective_scan_kernel_0::k4_selective_scan_kernel grid [4, arg0.0, 4] block [64, 1, 1]

// DEFAULT: launch k3_selective_scan_kernel::k3_selective_scan_kernel grid [2, arg0.0, 1] block [64, 1, 1]
// DEFAULT: launch k4_selective_scan_kernel::k4_selective_scan_kernel grid [4, arg0.0, 15] block [64, 1, 1]
// DEFAULT: launch k4_selective_scan_kernel_0::k4_selective_scan_kernel grid [4, arg0.0, 16] block [64, 1, 1]
