// mamba-run's bad arguments: each an error naming the option and what it
// expects (docs/errors.md, section 10), before any work.
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.mmod --target=x86-64
// RUN: not mamba-run 2>&1 | FileCheck %s --check-prefix=NOMODULE
// RUN: not mamba-run %t.mmod 2>&1 | FileCheck %s --check-prefix=NOWEIGHTS
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --bogus 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device gpu --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=DEVICE
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cuda:x --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=ORDINAL
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --max-new-tokens -1 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --threads 0 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --temperature abc 2>&1 | FileCheck %s --check-prefix=NUMBER
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids '1,2;3' 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids 99999999999 2>&1 | FileCheck %s --check-prefix=WIDE
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,300 2>&1 | FileCheck %s --check-prefix=VOCAB
// Prompts too long for int32 positions, refused before anything is
// allocated (one that fits the ids but not the memory: CpuModelTest).
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --bench --prompt-length 2147483648 2>&1 | FileCheck %s --check-prefix=LONG
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --bench --batch 65536 --prompt-length 65536 2>&1 | FileCheck %s --check-prefix=WIDEBATCH

// NOMODULE: mamba-run: no module file
// NOWEIGHTS: mamba-run: --weights MODEL_DIR is required
// UNKNOWN: mamba-run: unknown option '--bogus'
// UNKNOWN-NEXT: usage: mamba-run MODEL.mmod --weights MODEL_DIR
// DEVICE: mamba-run: device expects auto, cpu, cuda or cuda:N, got 'gpu'
// ORDINAL: mamba-run: device 'cuda:x': expected cuda:N with N a GPU number
// COUNT: mamba-run: --max-new-tokens expects an integer of at least 1, got '-1'
// THREADS: mamba-run: --threads expects an integer of at least 1, got '0'
// NUMBER: mamba-run: --temperature expects a number, got 'abc'
// ROWS: mamba-run: --prompt-ids: every row (';'-separated) needs the same number of ids
// WIDE: mamba-run: --prompt-ids: id '99999999999' does not fit in 32 bits
// VOCAB: mamba-run: --prompt-ids: id 300 is not below the vocabulary size 256
// LONG: mamba-run: a prompt batch of 1 x 2147483648 tokens has more positions than int32 ids
// WIDEBATCH: mamba-run: a prompt batch of 65536 x 65536 tokens has more positions than int32 ids
