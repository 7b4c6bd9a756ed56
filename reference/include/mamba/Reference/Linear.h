//===- Linear.h - Dense projections and the token embedding -----*- C++ -*-===//

#ifndef MAMBA_REFERENCE_LINEAR_H
#define MAMBA_REFERENCE_LINEAR_H

#include "mamba/Reference/Tensor.h"

#include <vector>

namespace mamba::reference {

/// x [..., K], weight [N, K] (the nn.Linear layout), bias [N] -> [..., N]
/// with y = x W^T + b.
Tensor linear(const Tensor &x, const Tensor &weight,
              const Tensor *bias = nullptr);

/// table [V, D]; ids flat in row-major order with shape idsShape ([b, L] for
/// the model) -> idsShape + [D]. Throws on an id outside [0, V).
Tensor embedding(const Tensor &table, const std::vector<int64_t> &ids,
                 const Shape &idsShape);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_LINEAR_H
