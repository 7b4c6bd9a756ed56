//===- ModuleFile.h - write compiled modules (.mmod) ------------*- C++ -*-===//
//
// The .mmod file is the contract between compiler and runtime; its format is
// docs/ModuleFormat.md, and the format library (format/) writes it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TARGET_MODULEFILE_H
#define MAMBA_TARGET_MODULEFILE_H

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Format/ModelSpec.h"

#include "mlir/Support/LLVM.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class ModuleOp;

namespace mamba {

/// The module format library (format/), seen from the compiler.
namespace format = ::mamba::format;

/// Writes `hostAndKernels` (the output of mamba-gpu-pipeline: host functions
/// made of shape arithmetic, result allocations and gpu.launch_func, plus
/// gpu.binary ops) as a .mmod file. `extraImages` are further compilations
/// of the same input (other chips or formats) whose gpu.binary objects are
/// added as images. Fails with a diagnostic on any host op the runtime could
/// not replay, and on a file the runtime's reader would reject.
/// With `model` (a compiled model's plan, see ModelPlan.h), the header also
/// gets a "model" section. `hostImages` are the kernel modules compiled for
/// host CPUs (the CPU target: the host functions then come from its
/// lowering and there are no gpu.binary ops).
LogicalResult writeModuleFile(ModuleOp hostAndKernels,
                              ArrayRef<ModuleOp> extraImages,
                              llvm::raw_ostream &os,
                              const format::ModelSpec *model = nullptr,
                              ArrayRef<HostImage> hostImages = {});

} // namespace mamba
} // namespace mlir

#endif // MAMBA_TARGET_MODULEFILE_H
