//===- Activation.h - Scalar nonlinearities of the Mamba block --*- C++ -*-===//
//
// Exposed so that tests can compute expected values by hand with exactly the
// formulas the ops use.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_ACTIVATION_H
#define MAMBA_REFERENCE_ACTIVATION_H

#include <cmath>
#include <string>

namespace mamba::reference {

enum class Activation { None, SiLU };

/// "none" or "silu" ("swish" too, the name some configs use); throws
/// std::invalid_argument otherwise.
Activation parseActivation(const std::string &name);

/// Written so that neither branch overflows exp() for large |x|.
inline double sigmoid(double x) {
  if (x >= 0)
    return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

inline double silu(double x) { return x * sigmoid(x); }

/// torch.nn.functional.softplus with its default threshold of 20, which is
/// also what the mamba_ssm CUDA kernels do: above it softplus(x) and x differ
/// by less than 2.1e-9, and matching the threshold keeps the oracle bit-close
/// to the kernels it judges.
inline double softplus(double x) {
  return x > 20.0 ? x : std::log1p(std::exp(x));
}

inline double applyActivation(Activation act, double x) {
  return act == Activation::SiLU ? silu(x) : x;
}

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_ACTIVATION_H
