//===- WeightCheck.h - Looking up and checking a model's weights ----------===//
//
// Shared by the Mamba-1 and Mamba-2 models: each weight is checked against
// the shape its config implies, and errors name the weight.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_WEIGHTCHECK_H
#define MAMBA_REFERENCE_WEIGHTCHECK_H

#include "ShapeCheck.h"
#include "mamba/Reference/Weights.h"

namespace mamba::reference::detail {

/// The weight `name` with the given shape; throws naming it otherwise.
const Tensor &requireWeight(const std::string &op, const Weights &weights,
                            const std::string &name,
                            const std::vector<Dim> &shape);

/// A weight that exists exactly when a config flag is set: nullptr when the
/// flag is off, an error when it is off and the weight is there anyway.
const Tensor *flaggedWeight(const std::string &op, const Weights &weights,
                            const std::string &name,
                            const std::vector<Dim> &shape, bool enabled,
                            const char *flag);

/// PyTorch stores the depthwise conv as [E, 1, K]; [E, K] is accepted too
/// because converted checkpoints sometimes squeeze it. Returns [E, K].
Tensor convWeightAsMatrix(const std::string &op, const Weights &weights,
                          const std::string &name, int64_t E, int64_t K);

} // namespace mamba::reference::detail

#endif // MAMBA_REFERENCE_WEIGHTCHECK_H
