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
// RUN: not mamba-run %t.mmod --weights 2>&1 | FileCheck %s --check-prefix=VALUE
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny %t.mmod 2>&1 | FileCheck %s --check-prefix=SECOND
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu 2>&1 | FileCheck %s --check-prefix=NOPROMPT
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --batch 3 --prompt-ids '1,2;3,4' 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-length 3 --prompt-ids 1,2 2>&1 | FileCheck %s --check-prefix=LENGTH
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids 1,-3 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids x 2>&1 | FileCheck %s --check-prefix=NOTANID
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids '' 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 --top-k -1 2>&1 | FileCheck %s --check-prefix=TOPK
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 --top-p 2 2>&1 | FileCheck %s --check-prefix=TOPP
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 --temperature -1 2>&1 | FileCheck %s --check-prefix=TEMPERATURE
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 --max-new-tokens 1 --dump-logits %t.missing/logits.bin 2>&1 | FileCheck %s --check-prefix=DUMP
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
// VALUE: mamba-run: --weights needs a value
// SECOND: mamba-run: a second module file '{{.*}}.mmod'
// NOPROMPT: mamba-run: --prompt-ids is required (or --bench for random prompts)
// BATCH: mamba-run: --batch differs from the number of --prompt-ids rows
// LENGTH: mamba-run: --prompt-length differs from the number of --prompt-ids
// NEGATIVE: mamba-run: --prompt-ids expects an integer of at least 0, got '-3'
// NOTANID: mamba-run: --prompt-ids expects an integer of at least 0, got 'x'
// EMPTY: mamba-run: --prompt-ids expects an integer of at least 0, got ''
// TOPK: mamba-run: --top-k expects an integer of at least 0, got '-1'
// TOPP: mamba-run: top-p must be in (0, 1]
// TEMPERATURE: mamba-run: the temperature must be 0 (greedy) or positive
// DUMP: mamba-run: --dump-logits: cannot write {{.*}}logits.bin: No such file or directory
// LONG: mamba-run: a prompt batch of 1 x 2147483648 tokens has more positions than int32 ids
// WIDEBATCH: mamba-run: a prompt batch of 65536 x 65536 tokens has more positions than int32 ids
