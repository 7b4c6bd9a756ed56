// A tuning database that does not fit: another format version, a malformed
// entry and an entry whose tiling does not fit the scan are errors naming
// the database (the last also names the tiling), never a module tiled some
// other way.
// RUN: sed 's/"version": 1/"version": 2/' %S/Inputs/tuning-db.json > %t.v2.json
// RUN: not mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %t.v2.json 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: sed 's/"batch": 8/"batch": 0/' %S/Inputs/tuning-db.json > %t.bucket.json
// RUN: not mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %t.bucket.json 2>&1 | FileCheck %s --check-prefix=BUCKET
// RUN: sed 's/"config"/"konfig"/' %S/Inputs/tuning-db.json > %t.config.json
// RUN: not mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %t.config.json 2>&1 | FileCheck %s --check-prefix=CONFIG
// RUN: sed 's/"d": 24/"d": "24"/' %S/Inputs/tuning-db.json > %t.type.json
// RUN: not mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %t.type.json 2>&1 | FileCheck %s --check-prefix=TYPE
// The x86-64-v3 1x2048 entry (2 channels per block) made 7, which does not
// divide the 12 channels of a group; on sm_90a the 1x1024 entry's 12 made 5.
// RUN: sed 's/"channels_per_block": 2,/"channels_per_block": 7,/' %S/Inputs/tuning-db.json > %t.misfit.json
// RUN: not mamba-compile %s -o %t.mmod --target=x86-64-v3 --tuning-db %t.misfit.json 2>&1 | FileCheck %s --check-prefix=MISFIT
// RUN: sed 's/"channels_per_block": 12,/"channels_per_block": 5,/' %S/Inputs/tuning-db.json > %t.gpu.json
// RUN: not mamba-compile %s -o %t.mmod --target=sm_90a --tuning-db %t.gpu.json 2>&1 | FileCheck %s --check-prefix=GPUMISFIT

// VERSION: mamba-compile: {{.*}}v2.json: format version 2, this build reads 1
// BUCKET: mamba-compile: {{.*}}bucket.json: entry 3: a bucket needs a batch and a length of at least 1
// CONFIG: mamba-compile: {{.*}}config.json: entry 0: {{.*}}key 'config' not found
// TYPE: mamba-compile: {{.*}}type.json: entry 0: {{.*}}type must be number, but is string
// MISFIT: error: 'mamba.selective_scan' op cannot tile for the CPU: channels_per_block = 7 must divide the channels per group d / G = 12
// MISFIT: mamba-compile: tuning: selective_scan 24:16:2:f32=7:16:16:1 for x86-64-v3 (bucket 1x2048
// MISFIT: mamba-compile: tiling for the CPU failed: scan tilings came from the tuning database {{.*}}misfit.json; if the error above is about a tiling, that database's entry does not fit this scan (fix or remove it, or compile with --no-tuning-db; in Python, tuning_db=False)
// GPUMISFIT: error: 'mamba.selective_scan' op cannot tile: channels_per_block = 5 must divide the channels per group d / G = 12
// GPUMISFIT: error: scan tilings came from the tuning database {{.*}}gpu.json; if the error above
// GPUMISFIT: mamba-compile: compiling for sm_90a failed
func.func @scan(%u: tensor<?x24x?xf32>, %delta: tensor<?x24x?xf32>,
                %A: tensor<24x16xf32>, %B: tensor<?x2x16x?xf32>,
                %C: tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x16xf32>,
         tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}
