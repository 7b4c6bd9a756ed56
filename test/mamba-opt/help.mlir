// mamba-opt lists every mamba pass and pipeline next to the upstream ones.
// RUN: mamba-opt --help | FileCheck %s

// CHECK: Available Dialects:{{.*}} linalg,{{.*}} mamba,{{.*}} nvvm,
// CHECK-DAG: --mamba-decompose-mixer
// CHECK-DAG: --mamba-pipeline
// CHECK-DAG: --decompose-composites
// CHECK-DAG: --gpu-lower-to-nvvm-pipeline
