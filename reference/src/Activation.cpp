//===- Activation.cpp - Scalar nonlinearities of the Mamba block ----------===//

#include "mamba/Reference/Activation.h"

#include <stdexcept>

namespace mamba::reference {

Activation parseActivation(const std::string &name) {
  if (name == "none" || name.empty())
    return Activation::None;
  if (name == "silu" || name == "swish")
    return Activation::SiLU;
  throw std::invalid_argument("unknown activation '" + name +
                              "', expected 'none' or 'silu'");
}

} // namespace mamba::reference
