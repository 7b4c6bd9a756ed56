// The example model goes through the whole pipeline as far as it reaches
// today: no composite op is left, and the canonicalizer and CSE between the
// stages dedupe the shape queries of the dynamic batch and length.
// RUN: mamba-opt %mamba_src_root/examples/tiny-mamba.mlir --mamba-pipeline | FileCheck %s
// Every shape query is answered from the ids: batch and length, once each.
// RUN: mamba-opt %mamba_src_root/examples/tiny-mamba.mlir --mamba-pipeline | FileCheck %s --check-prefix=DIMS
// Turning the decomposition off keeps the mixers (the option reaches the stage).
// RUN: mamba-opt %mamba_src_root/examples/tiny-mamba.mlir --mamba-pipeline=decompose-composites=false | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @prefill
// CHECK-NOT:   mamba.mixer
// CHECK:       mamba.embedding
// CHECK:       mamba.rms_norm
// CHECK-COUNT-3: mamba.linear
// CHECK:       mamba.selective_scan {{.*}} delta_softplus
// CHECK:       mamba.linear
// CHECK:       mamba.rms_norm {{.*}} residual
// CHECK-COUNT-3: mamba.linear
// CHECK:       mamba.selective_scan {{.*}} delta_softplus
// CHECK:       mamba.linear
// CHECK:       mamba.rms_norm {{.*}} residual
// CHECK:       %[[LOGITS:.*]] = mamba.linear {{.*}} -> tensor<?x?x256xf32>
// CHECK:       return %[[LOGITS]]

// KEEP-COUNT-2: mamba.mixer

// DIMS: func.func @prefill(%[[IDS:[a-z0-9]+]]: tensor<?x?xi32>
// DIMS-COUNT-2: tensor.dim %[[IDS]]
// DIMS-NOT: tensor.dim
