// A file the runtime would reject is an error that names the file and what
// is wrong, with the reader's words; bad arguments get the usage.
// REQUIRES: ptxas
// RUN: mamba-compile %s -o %t.mmod --chip=sm_80
// Cut inside the header, inside the images, a changed header byte (the
// checksums catch it), and a wrong magic.
// RUN: head -c 100 %t.mmod > %t.cut-header
// RUN: not mamba-mmod-dump %t.cut-header 2>&1 | FileCheck %s --check-prefix=HEADER
// RUN: head -c -10 %t.mmod > %t.cut-image
// RUN: not mamba-mmod-dump %t.cut-image 2>&1 | FileCheck %s --check-prefix=IMAGE
// RUN: cp %t.mmod %t.flip && printf 'X' | dd of=%t.flip bs=1 seek=40 conv=notrunc 2>/dev/null
// RUN: not mamba-mmod-dump %t.flip 2>&1 | FileCheck %s --check-prefix=FLIP
// RUN: printf 'NOTAMMOD' > %t.magic && tail -c +9 %t.mmod >> %t.magic
// RUN: not mamba-mmod-dump %t.magic 2>&1 | FileCheck %s --check-prefix=MAGIC
// RUN: not mamba-mmod-dump %t.missing 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: not mamba-mmod-dump %t.dir 2>&1 | FileCheck %s --check-prefix=DIRECTORY
// A kernel module has no plan to print.
// RUN: not mamba-mmod-dump --plan %t.mmod 2>&1 | FileCheck %s --check-prefix=PLAN
// RUN: not mamba-mmod-dump 2>&1 | FileCheck %s --check-prefix=USAGE
// RUN: not mamba-mmod-dump --bogus %t.mmod 2>&1 | FileCheck %s --check-prefix=BOGUS
// RUN: not mamba-mmod-dump --extract-images %t.nowhere/images %t.mmod 2>&1 | FileCheck %s --check-prefix=EXTRACT

// HEADER: mamba-mmod-dump: {{.*}}cut-header: header length {{[0-9]+}} runs past the end of the file (100 bytes)
// IMAGE: mamba-mmod-dump: {{.*}}cut-image: data section (kernel images) checksum mismatch (stored {{[0-9a-f]+}}, computed {{[0-9a-f]+}}): the file is corrupted or was changed after it was written
// FLIP: mamba-mmod-dump: {{.*}}flip: header checksum mismatch
// MAGIC: bad magic "NOTAMMOD" (expected "MAMBAMOD"): not a mamba module file
// MISSING: mamba-mmod-dump: {{.*}}missing: cannot open: No such file or directory
// DIRECTORY: mamba-mmod-dump: {{.*}}.dir: is a directory, not a module file
// PLAN: not a compiled model (no model section)
// USAGE: usage: mamba-mmod-dump
// BOGUS: unexpected argument '--bogus'
// EXTRACT: mamba-mmod-dump: cannot write {{.*}}nowhere/images/{{.*}}: No such file or directory
func.func @norm(%x: tensor<?x16xf32>, %w: tensor<16xf32>) -> tensor<?x16xf32> {
  %y = mamba.rms_norm %x, %w : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
