//===- StepBuffers.h - What both decode-step tilings take from the op -----===//
//
// The GPU and CPU tilings of mamba.selective_step differ in their loops, not
// in their buffers: the operands, the results and the two scratch buffers
// between their kernels.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_CONVERSION_MAMBATOKERNELS_STEPBUFFERS_H
#define MAMBA_LIB_CONVERSION_MAMBATOKERNELS_STEPBUFFERS_H

#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::mamba {

/// Fails on the op, naming the first of E, N, R and K that is not static;
/// `sizedBy` says what the tiling sizes by them.
LogicalResult checkStaticStepSizes(SelectiveStepOp op, StringRef sizedBy);

struct StepBuffers {
  /// The operands as read-only buffers (convBias null when absent).
  Value xz, convState, ssmState, convWeight, convBias, xWeight, dtWeight,
      dtBias, A, D;
  Value batches, channels; ///< channels: the constant E
  Value y, newConv, newSsm;
  /// Between the kernels: the conv output, rounded as the activation type
  /// ([b, E] f32), and the x_proj partial sums of each of kernel 1's
  /// `blocks` blocks ([b, blocks, R + 2N] f32).
  Value convOut, partials;
};
StepBuffers takeStepBuffers(ImplicitLocOpBuilder &b, SelectiveStepOp op,
                            int64_t blocks);

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_STEPBUFFERS_H
