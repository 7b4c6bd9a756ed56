//===- Passes.h - GPU code generation passes --------------------*- C++ -*-===//

#ifndef MAMBA_CODEGEN_GPU_PASSES_H
#define MAMBA_CODEGEN_GPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace gpu {
class GPUDialect;
} // namespace gpu
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace NVVM {
class NVVMDialect;
} // namespace NVVM
namespace memref {
class MemRefDialect;
} // namespace memref
namespace nvgpu {
class NVGPUDialect;
} // namespace nvgpu
namespace scf {
class SCFDialect;
} // namespace scf
namespace vector {
class VectorDialect;
} // namespace vector

namespace mamba {

#define GEN_PASS_DECL
#include "mamba/Codegen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mamba/Codegen/GPU/Passes.h.inc"

} // namespace mamba
} // namespace mlir

#endif // MAMBA_CODEGEN_GPU_PASSES_H
