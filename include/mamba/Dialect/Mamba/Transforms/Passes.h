//===- Passes.h - transformations of the mamba dialect ----------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_H
#define MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace arith {
class ArithDialect;
} // namespace arith
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace math {
class MathDialect;
} // namespace math
namespace tensor {
class TensorDialect;
} // namespace tensor

namespace mamba {

#define GEN_PASS_DECL
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"

/// Patterns that rewrite mamba.mixer into primitive ops and mamba.mixer_step
/// into its projections around a mamba.selective_step (`fuseStep`) or into
/// primitive ops; shared by the pass and by pipelines that decompose
/// alongside other rewrites.
void populateDecomposeMixerPatterns(RewritePatternSet &patterns,
                                    bool fuseStep = true);

/// Patterns that rewrite mamba.mixer2 and mamba.mixer2_step (Mamba-2) into
/// primitive ops.
void populateDecomposeMixer2Patterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"

} // namespace mamba
} // namespace mlir

#endif // MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_H
