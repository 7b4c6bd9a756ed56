//===- HostKernels.h - gpu.module kernels as host shared objects -*- C++
//-*-===//
//
// The CPU target compiles the same outlined kernels as the GPU target: the
// tiling passes run with CPU parameters (one thread per block), the block
// loops become gpu.launch and gpu.module kernels as for a GPU, and then each
// gpu.module is compiled for the host instead of NVVM. A kernel's body
// becomes a function of its buffers and its block's index and grid size
// (gpu.block_id and gpu.grid_dim read from those, gpu.thread_id is 0), an
// entry with the host kernels' calling convention
// (runtime/include/mamba/Runtime/Cpu/HostCode.h) unpacks the launch's
// parameter slots into it, and LLVM compiles the module for one x86-64
// level into an object that the system linker makes a shared object.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CODEGEN_CPU_HOSTKERNELS_H
#define MAMBA_CODEGEN_CPU_HOSTKERNELS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::mamba {

/// One gpu.module compiled for the host: the module file's "so" image.
struct HostImage {
  std::string module;
  std::string level; ///< "x86-64-v3"
  std::vector<char> bytes;
};

/// Compiles every gpu.module of `module` (after kernel outlining) for the
/// x86-64 psABI level `level` ("x86-64", "x86-64-v2" to "x86-64-v4").
/// Errors are emitted on the op that causes them.
FailureOr<std::vector<HostImage>> compileHostKernels(ModuleOp module,
                                                     StringRef level);

/// The highest x86-64 level the compiling machine has ("x86-64-v4" on an
/// AVX-512 machine): what `--target cpu` compiles for.
std::string hostCpuLevel();

} // namespace mlir::mamba

#endif // MAMBA_CODEGEN_CPU_HOSTKERNELS_H
