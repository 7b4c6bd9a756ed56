//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//

#ifndef MAMBA_CODEGEN_CPU_PASSES_H
#define MAMBA_CODEGEN_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace math {
class MathDialect;
} // namespace math
namespace vector {
class VectorDialect;
} // namespace vector

namespace mamba {

#define GEN_PASS_DECL
#include "mamba/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mamba/Codegen/CPU/Passes.h.inc"

} // namespace mamba
} // namespace mlir

#endif // MAMBA_CODEGEN_CPU_PASSES_H
