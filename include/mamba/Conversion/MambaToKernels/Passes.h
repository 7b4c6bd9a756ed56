//===- Passes.h - mamba ops to kernels on buffers ---------------*- C++ -*-===//

#ifndef MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_H
#define MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_H

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace bufferization {
class BufferizationDialect;
} // namespace bufferization
namespace gpu {
class GPUDialect;
} // namespace gpu
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace math {
class MathDialect;
} // namespace math
namespace memref {
class MemRefDialect;
} // namespace memref
namespace nvgpu {
class NVGPUDialect;
} // namespace nvgpu
namespace scf {
class SCFDialect;
} // namespace scf
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace vector {
class VectorDialect;
} // namespace vector

namespace mamba {

#define GEN_PASS_DECL
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"

} // namespace mamba
} // namespace mlir

#endif // MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_H
