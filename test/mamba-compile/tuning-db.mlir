// mamba-compile --tuning-db: a scan whose signature (d, N, G, dtype) has an
// entry for the target gets its tiling, from the entry whose bucket is
// nearest --tuning-bucket; entries of another code generation version (of
// GPU or CPU code, counted apart) are ignored with a note; tiling options win over the database; a database
// that cannot be read is an error naming the file.
// RUN: mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %S/Inputs/tuning-db.json 2>&1 | FileCheck %s --check-prefix=NOTES
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s --check-prefix=LONG
// RUN: mamba-compile %s -o %t2.mmod --target=x86-64-v3 --tuning-db %S/Inputs/tuning-db.json --tuning-bucket 4x256
// RUN: mamba-mmod-dump %t2.mmod | FileCheck %s --check-prefix=SHORT
// RUN: mamba-compile %s -o %t3.mmod --target=x86-64-v3 --tuning-db %S/Inputs/tuning-db.json --channels-per-block=4 2>&1 | FileCheck %s --check-prefix=GIVEN
// RUN: mamba-mmod-dump %t3.mmod | FileCheck %s --check-prefix=FOUR
// RUN: mamba-compile %s -o %t4.mmod --target=sm_80 --tuning-db %S/Inputs/tuning-db.json 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: mamba-mmod-dump %t4.mmod | FileCheck %s --check-prefix=OTHER
// RUN: mamba-compile %s -o %t6.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db.json 2>&1 | FileCheck %s --check-prefix=GPUNOTES
// RUN: mamba-mmod-dump %t6.mmod | FileCheck %s --check-prefix=GPU
// RUN: not mamba-compile %s -o %t5.mmod --target=x86-64-v3 --tuning-db %S/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mamba-compile %s -o %t5.mmod --target=x86-64-v3 --tuning-db %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not mamba-compile %s -o %t5.mmod --target=x86-64-v3 --tuning-bucket 2048 2>&1 | FileCheck %s --check-prefix=BUCKET

// NOTES: tuning: ignored a selective_scan entry for x86-64-v3 measured with code generation version 0
// NOTES: tuning: selective_scan 24:16:2:f32=2:16:16:1 for x86-64-v3 (bucket 1x2048: 1 ms against 2 ms by default)
// 24 channels in blocks of 2 (the 1x2048 entry), of 12 (the 8x128 entry).
// LONG: launch scan_kernel::scan_kernel grid [12, arg0.0, 1]
// SHORT: launch scan_kernel::scan_kernel grid [2, arg0.0, 1]
// GIVEN: tuning: tiling options given: the tuning database is not used
// FOUR: launch scan_kernel::scan_kernel grid [6, arg0.0, 1]
// No entry for sm_80: a note, and the default (64 fitted to 4 channels per
// group).
// NONE: tuning: the tuning database {{.*}}tuning-db.json has no entry for this module's scans on sm_80: default tilings
// OTHER: launch scan_kernel::scan_kernel grid [6, arg0.0, 1]
// GPU targets count code generation versions apart from the CPU's: the
// sm_90a entry of version 1 is ignored, that of version 2 used.
// GPUNOTES: tuning: ignored a selective_scan entry for sm_90a measured with code generation version 1 (this compiler: 2)
// GPUNOTES: tuning: selective_scan 24:16:2:f32=12:8:16:1 for sm_90a (bucket 1x1024
// GPU: launch scan_kernel::scan_kernel grid [2, arg0.0, 1] block [24, 1, 1]
// MISSING: mamba-compile: {{.*}}missing.json: cannot open the tuning database
// BAD: mamba-compile: {{.*}}tuning-db.mlir: {{.*}}parse error
// BUCKET: mamba-compile: --tuning-bucket=2048: expected BATCHxLENGTH, like 1x2048
func.func @scan(%u: tensor<?x24x?xf32>, %delta: tensor<?x24x?xf32>,
                %A: tensor<24x16xf32>, %B: tensor<?x2x16x?xf32>,
                %C: tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x16xf32>,
         tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}
