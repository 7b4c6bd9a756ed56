// A Mamba-2 model directory compiles for the CPU and generates with
// mamba-run as a Mamba-1 one does: the golden tiny Mamba-2 model's prompt
// gives its 16 golden greedy tokens (test/data/golden/model-tiny-mamba2,
// expected.json), greedily and with --temperature 0.
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny-mamba2 -o %t.mmod --target=cpu
// RUN: mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny-mamba2 --device cpu --prompt-ids 3,17,42,99,5,250,31,8,77,123,64 --max-new-tokens 16 | FileCheck %s
// RUN: mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny-mamba2 --device cpu --prompt-ids 3,17,42,99,5,250,31,8,77,123,64 --max-new-tokens 16 --temperature 0 | FileCheck %s
// CHECK: row 0: 199 203 189 109 68 87 177 1 225 96 66 152 237 74 45 22
//
// Two rows of a batch each get their own tokens, the first as alone.
// RUN: mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny-mamba2 --device cpu --prompt-ids '3,17,42,99,5,250,31,8,77,123,64;9,9,9,9,9,9,9,9,9,9,9' --max-new-tokens 16 | FileCheck %s --check-prefix=BATCH
// BATCH: row 0: 199 203 189 109 68 87 177 1 225 96 66 152 237 74 45 22
// BATCH: row 1:
