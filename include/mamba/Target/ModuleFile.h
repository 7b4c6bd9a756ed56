//===- ModuleFile.h - write compiled modules (.mmod) ------------*- C++ -*-===//
//
// The .mmod file is the contract between compiler and runtime; its format is
// docs/ModuleFormat.md.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TARGET_MODULEFILE_H
#define MAMBA_TARGET_MODULEFILE_H

#include "mlir/Support/LLVM.h"

#include <string>

namespace llvm {
class raw_ostream;
namespace json {
class Object;
} // namespace json
} // namespace llvm

namespace mlir {
class ModuleOp;
class Type;

namespace mamba {

/// Writes `hostAndKernels` (the output of mamba-gpu-pipeline: host functions
/// made of shape arithmetic, result allocations and gpu.launch_func, plus
/// gpu.binary ops) as a .mmod file. `extraImages` are further compilations
/// of the same input (other chips or formats) whose gpu.binary objects are
/// added as images. Fails with a diagnostic on any host op the runtime could
/// not replay.
/// With `model` (a compiled model's plan, see ModelPlan.h), the header also
/// gets a "model" section.
LogicalResult writeModuleFile(ModuleOp hostAndKernels,
                              ArrayRef<ModuleOp> extraImages,
                              llvm::raw_ostream &os,
                              const llvm::json::Object *model = nullptr);

/// The module file's spelling of an element type: "f32", "bf16", "i32", ...
std::string moduleElementName(Type type);

} // namespace mamba
} // namespace mlir

#endif // MAMBA_TARGET_MODULEFILE_H
