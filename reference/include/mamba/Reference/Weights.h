//===- Weights.h - Model weights by their Hugging Face names ---*- C++ -*-===//
//
// Shared by the Mamba-1 and Mamba-2 models: both name their weights as
// transformers saves them.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_WEIGHTS_H
#define MAMBA_REFERENCE_WEIGHTS_H

#include "mamba/Reference/Tensor.h"

#include <map>
#include <string>

namespace mamba::reference {

using Weights = std::map<std::string, Tensor>;

/// "backbone.layers.<layer>.<suffix>".
std::string layerWeightName(int64_t layer, const std::string &suffix);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_WEIGHTS_H
