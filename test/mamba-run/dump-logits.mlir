// mamba-run --dump-logits: a path that cannot be written fails before the
// model loads; the file appears only when the run succeeds, with prefill's
// [batch, length, vocab] logits then each decode step's [batch, vocab]; a
// failed run leaves no file and an existing one as it was.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.mmod --target=x86-64
// RUN: not mamba-run %t.absent.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids 1,2 --dump-logits %t.missing/logits.bin 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --prompt-ids 1,2 --dump-logits %t.dir 2>&1 | FileCheck %s --check-prefix=DIRECTORY
// RUN: mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,2 --max-new-tokens 3 --dump-logits %t.dir/logits.bin
// RUN: wc -c < %t.dir/logits.bin | FileCheck %s --check-prefix=SIZE
// RUN: echo kept > %t.dir/kept.bin
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,300 --dump-logits %t.dir/kept.bin 2>&1 | FileCheck %s --check-prefix=VOCAB
// RUN: not mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 1,300 --dump-logits %t.dir/failed.bin
// RUN: ls %t.dir | FileCheck %s --check-prefix=FILES
// RUN: cat %t.dir/kept.bin | FileCheck %s --check-prefix=KEPT

// FIRST: mamba-run: --dump-logits: cannot write {{.*}}logits.bin: No such file or directory
// DIRECTORY: mamba-run: --dump-logits: {{.*}}.dir is a directory
// (2 prompt positions + 2 decode steps) x 256 logits x 4 bytes
// SIZE: 4096
// VOCAB: mamba-run: --prompt-ids: id 300 is not below the vocabulary size 256
// FILES: kept.bin
// FILES-NEXT: logits.bin
// FILES-EMPTY:
// KEPT: kept
