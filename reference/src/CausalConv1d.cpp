//===- CausalConv1d.cpp - Depthwise causal conv and its decode step -------===//

#include "mamba/Reference/CausalConv1d.h"

#include "ShapeCheck.h"

namespace mamba::reference {

using detail::checkOptionalShape;
using detail::checkShape;
using detail::fail;

Tensor causalConv1d(const Tensor &x, const Tensor &weight, const Tensor *bias,
                    Activation activation) {
  const std::string op = "causal_conv1d";
  checkShape(op, "x", x, {"b", "d", "L"});
  int64_t b = x.dim(0), d = x.dim(1), L = x.dim(2);
  checkShape(op, "weight", weight, {{"d", d}, "K"});
  int64_t K = weight.dim(1);
  if (K < 1)
    fail(op, "weight has width K=0, expected at least 1");
  checkOptionalShape(op, "bias", bias, {{"d", d}});

  Tensor y = Tensor::zeros({b, d, L});
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t c = 0; c < d; ++c) {
      const double *row = x.data() + (bi * d + c) * L;
      const double *w = weight.data() + c * K;
      for (int64_t t = 0; t < L; ++t) {
        double acc = bias ? (*bias)[c] : 0.0;
        for (int64_t k = 0; k < K; ++k) {
          int64_t src = t - (K - 1) + k;
          if (src >= 0)
            acc += w[k] * row[src];
        }
        y[(bi * d + c) * L + t] = applyActivation(activation, acc);
      }
    }
  }
  return y;
}

ConvStateUpdateResult convStateUpdate(const Tensor &convState, const Tensor &x,
                                      const Tensor &weight, const Tensor *bias,
                                      Activation activation) {
  const std::string op = "conv_state_update";
  checkShape(op, "conv_state", convState, {"b", "d", "K"});
  int64_t b = convState.dim(0), d = convState.dim(1), K = convState.dim(2);
  if (K < 1)
    fail(op, "conv_state has width K=0, expected at least 1");
  checkShape(op, "x", x, {{"b", b}, {"d", d}});
  checkShape(op, "weight", weight, {{"d", d}, {"K", K}});
  checkOptionalShape(op, "bias", bias, {{"d", d}});

  ConvStateUpdateResult result{Tensor::zeros({b, d}), Tensor::zeros({b, d, K})};
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t c = 0; c < d; ++c) {
      int64_t i = bi * d + c;
      const double *oldState = convState.data() + i * K;
      double *state = result.newConvState.data() + i * K;
      for (int64_t k = 0; k + 1 < K; ++k)
        state[k] = oldState[k + 1];
      state[K - 1] = x[i];
      double acc = bias ? (*bias)[c] : 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += weight[c * K + k] * state[k];
      result.y[i] = applyActivation(activation, acc);
    }
  }
  return result;
}

Tensor lastConvInputs(const Tensor &x, int64_t K) {
  checkShape("last_conv_inputs", "x", x, {"b", "d", "L"});
  if (K < 1)
    fail("last_conv_inputs",
         "K is " + std::to_string(K) + ", expected at least 1");
  int64_t b = x.dim(0), d = x.dim(1), L = x.dim(2);
  Tensor state = Tensor::zeros({b, d, K});
  for (int64_t row = 0; row < b * d; ++row)
    for (int64_t k = 0; k < K; ++k) {
      int64_t t = L - K + k;
      if (t >= 0)
        state[row * K + k] = x[row * L + t];
    }
  return state;
}

} // namespace mamba::reference
