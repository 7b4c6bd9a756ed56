//===- ModelPlan.h - A compiled model's execution plan ----------*- C++ -*-===//
//
// After mamba-pipeline, a model's entry functions (@prefill, @decode_step,
// from the importer) hold GEMMs (mamba.linear), kernel ops (the scan, the
// conv, the norms, ...), views of weights and activations, and shape
// arithmetic. The planner turns each entry into what the runtime replays:
// buffers (inputs, weights, derived weights, temporaries, views) with shapes
// as expressions over the inputs' dimensions, and a list of steps: a GEMM,
// or a call of a kernel function. Each distinct kernel op (same op,
// attributes and types) becomes one kernel function, so layers of equal
// shapes share their kernels; the kernel functions are compiled by
// mamba-gpu-pipeline like any other. The format is docs/ModuleFormat.md's
// "model" section.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TARGET_MODELPLAN_H
#define MAMBA_TARGET_MODELPLAN_H

#include "mamba/Format/ModelSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::mamba {

/// The module format library (format/), seen from the compiler.
namespace format = ::mamba::format;

struct ModelPlan {
  /// One tensor-level function per distinct kernel op.
  OwningOpRef<ModuleOp> kernels;
  /// The module file's "model" section.
  format::ModelSpec model;
};

/// Plans every function of `model` that has `mamba.input` arguments. Fails
/// with a diagnostic at the first op the runtime could not replay.
FailureOr<ModelPlan> planModel(ModuleOp model);

} // namespace mlir::mamba

#endif // MAMBA_TARGET_MODELPLAN_H
