//===- CausalConv1d.h - Depthwise causal conv and decode step ---*- C++ -*-===//
//
// The semantics of causal_conv1d_ref and causal_conv1d_update, in double.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_CAUSALCONV1D_H
#define MAMBA_REFERENCE_CAUSALCONV1D_H

#include "mamba/Reference/Activation.h"
#include "mamba/Reference/Tensor.h"

namespace mamba::reference {

/// x [b, d, L], weight [d, K], bias [d] -> y [b, d, L] with
///   y[t] = act(bias + sum_k weight[k] * x[t - (K - 1) + k]),
/// reading zeros before the start of the sequence.
Tensor causalConv1d(const Tensor &x, const Tensor &weight,
                    const Tensor *bias = nullptr,
                    Activation activation = Activation::None);

struct ConvStateUpdateResult {
  Tensor y;            ///< [b, d]
  Tensor newConvState; ///< [b, d, K]
};

/// One decode step: convState [b, d, K] holds the last K inputs, oldest
/// first. The state shifts left by one, x [b, d] enters at the end, and
///   y = act(bias + sum_k weight[k] * state[k]).
/// Starting from zeros, K-wide state makes this equal causalConv1d step by
/// step.
ConvStateUpdateResult convStateUpdate(const Tensor &convState, const Tensor &x,
                                      const Tensor &weight,
                                      const Tensor *bias = nullptr,
                                      Activation activation = Activation::None);

/// The conv state after a prefill of x [b, d, L] (the conv's input): the
/// last K inputs of each channel, oldest first, zero-padded on the left
/// when L < K, so that convStateUpdate continues exactly where the causal
/// conv stopped. [b, d, K].
Tensor lastConvInputs(const Tensor &x, int64_t K);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_CAUSALCONV1D_H
