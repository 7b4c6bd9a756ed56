// A file the runtime would reject is an error that names the file and what
// is wrong, with the reader's words; bad arguments get the usage.
// REQUIRES: ptxas
// RUN: mamba-compile %s -o %t.mmod --chip=sm_80
// Cut inside the header, inside the images, and a wrong magic.
// RUN: head -c 100 %t.mmod > %t.cut-header
// RUN: not mamba-mmod-dump %t.cut-header 2>&1 | FileCheck %s --check-prefix=HEADER
// RUN: head -c -10 %t.mmod > %t.cut-image
// RUN: not mamba-mmod-dump %t.cut-image 2>&1 | FileCheck %s --check-prefix=IMAGE
// RUN: printf 'NOTAMMOD' > %t.magic && tail -c +9 %t.mmod >> %t.magic
// RUN: not mamba-mmod-dump %t.magic 2>&1 | FileCheck %s --check-prefix=MAGIC
// RUN: not mamba-mmod-dump %t.missing 2>&1 | FileCheck %s --check-prefix=MISSING
// A kernel module has no plan to print.
// RUN: not mamba-mmod-dump --plan %t.mmod 2>&1 | FileCheck %s --check-prefix=PLAN
// RUN: not mamba-mmod-dump 2>&1 | FileCheck %s --check-prefix=USAGE
// RUN: not mamba-mmod-dump --bogus %t.mmod 2>&1 | FileCheck %s --check-prefix=BOGUS

// HEADER: mamba-mmod-dump: {{.*}}cut-header: header length {{[0-9]+}} runs past the end of the file (100 bytes)
// IMAGE: mamba-mmod-dump: {{.*}}cut-image: images[1]: bytes [{{[0-9]+}}, {{[0-9]+}} + {{[0-9]+}}) run past the data section
// MAGIC: bad magic "NOTAMMOD" (expected "MAMBAMOD"): not a mamba module file
// MISSING: mamba-mmod-dump: {{.*}}missing: cannot open: No such file or directory
// PLAN: not a compiled model (no model section)
// USAGE: usage: mamba-mmod-dump
// BOGUS: unexpected argument '--bogus'
func.func @norm(%x: tensor<?x16xf32>, %w: tensor<16xf32>) -> tensor<?x16xf32> {
  %y = mamba.rms_norm %x, %w : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
