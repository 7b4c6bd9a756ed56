// Bad input files get a located diagnostic and a non-zero exit, never a crash.
// RUN: not mamba-opt %S/Inputs/truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not mamba-opt %S/Inputs/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mamba-opt %S/Inputs/unknown-op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not mamba-opt %S/Inputs/truncated.mlir --mamba-pipeline 2>&1 | FileCheck %s --check-prefix=TRUNC

// TRUNC: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
// MISSING: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory
// UNKNOWN: unknown-op.mlir:4:8: error: custom op 'mamba.selective_scam' is unknown
