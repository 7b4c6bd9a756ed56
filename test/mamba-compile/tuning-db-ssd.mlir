// mamba-compile --tuning-db and Mamba-2's SSD scan on a GPU: a scan whose
// signature (H, P, N, G, dtype) has an ssd_scan entry for the target takes
// the entry's kernel, from the entry whose bucket is nearest --tuning-bucket
// (models too: the SSD has no split variant): the chunked tensor-core
// kernel with the entry's chunk and channel block, or the per-step one. SSD
// options win over the database; the CPU has one SSD kernel and ignores
// ssd_scan entries; an entry whose sizes do not fit the scan is an error
// naming it and the database.
// RUN: mamba-compile %s -o %t.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-ssd.json 2>&1 | FileCheck %s --check-prefix=NOTES
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s --check-prefix=CHUNKED
// RUN: mamba-compile %s -o %t2.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-ssd.json --tuning-bucket 8x256 2>&1 | FileCheck %s --check-prefix=SHORT
// RUN: mamba-mmod-dump %t2.mmod | FileCheck %s --check-prefix=PERSTEP
// RUN: mamba-compile %s -o %t3.mmod --target=sm_90a --no-tuning-db
// RUN: mamba-mmod-dump %t3.mmod | FileCheck %s --check-prefix=PERSTEP
// RUN: mamba-compile %s -o %t4.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-ssd.json --ssd-tensor-cores 2>&1 | FileCheck %s --check-prefix=GIVEN
// RUN: mamba-mmod-dump %t4.mmod | FileCheck %s --check-prefix=DEFAULT
// RUN: mamba-compile %s -o %t5.mmod --target=x86-64-v3 --tuning-db %S/Inputs/tuning-db-ssd.json 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: mamba-compile %S/../data/golden/model-tiny-mamba2 --dtype bf16 -o %t6.mmod --target=sm_90a --tuning-db %S/Inputs/tuning-db-ssd.json 2>&1 | FileCheck %s --check-prefix=MODEL
// RUN: mamba-mmod-dump %t6.mmod | FileCheck %s --check-prefix=MODELKERNEL
// RUN: sed 's/"chunk": 32,/"chunk": 24,/' %S/Inputs/tuning-db-ssd.json > %t.misfit.json
// RUN: not mamba-compile %s -o %t7.mmod --target=sm_90a --tuning-db %t.misfit.json 2>&1 | FileCheck %s --check-prefix=MISFIT

// Only the module's signature (not the model's 8:16:16:2 entry).
// NOTES-NOT: 8:16:16:2
// NOTES: tuning: ssd_scan 4:64:128:1:bf16=1:32:32 for sm_90a (bucket 1x2048: 1 ms against 2 ms by default)
// NOTES-NOT: 8:16:16:2
// The chunked kernel in blocks of 32 channels (two warps): 4 heads x 2.
// CHUNKED: launch ssd_kernel::ssd_kernel grid [8, arg0.0, 1] block [64, 1, 1]
// The 8x256 entry: the per-step recurrence, also the default without a
// database (128 threads a block, a few lanes per channel).
// SHORT: tuning: ssd_scan 4:64:128:1:bf16=0:0:0 for sm_90a (bucket 8x256: 1 ms against 1 ms by default)
// PERSTEP: launch ssd_kernel::ssd_kernel grid [16, arg0.0, 1] block [128, 1, 1]
// --ssd-tensor-cores: the chunked kernel at its own sizes (blocks of 64).
// GIVEN: tuning: SSD options given: the tuning database is not used for ssd_scan
// GIVEN-NOT: ssd_scan 4:64:128
// DEFAULT: launch ssd_kernel::ssd_kernel grid [4, arg0.0, 1] block [128, 1, 1]
// CPU: tuning: the tuning database {{.*}}tuning-db-ssd.json has no entry for this module's scans on x86-64-v3: default tilings
// A model's SSD (8 heads of 16, N = 16, 2 groups) takes its entry:
// chunks of 16, a warp per head.
// MODEL: tuning: ssd_scan 8:16:16:2:bf16=1:16:16 for sm_90a (bucket 1x2048: 1 ms against 2 ms by default)
// MODELKERNEL: launch {{.*}}ssd_scan_kernel{{.*}} grid [8, arg0.0, 1] block [32, 1, 1]
// MISFIT: error: 'mamba.ssd_scan' op cannot take the chunked kernel's sizes of the tuned entry '4:64:128:1:bf16=1:24:32': chunk = 24 must be a multiple of 16 up to 128
// MISFIT: error: scan tilings came from the tuning database {{.*}}misfit.json; if the error above is about a tiling, that database's entry does not fit this scan
// MISFIT: mamba-compile: compiling for sm_90a failed
func.func @ssd(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>,
               %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>,
               %C: tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C dt_softplus
      : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>,
         tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>) -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}
