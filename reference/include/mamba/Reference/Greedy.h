//===- Greedy.h - Greedy decoding over any reference model ------*- C++ -*-===//

#ifndef MAMBA_REFERENCE_GREEDY_H
#define MAMBA_REFERENCE_GREEDY_H

#include "mamba/Reference/Tensor.h"

#include <functional>
#include <vector>

namespace mamba::reference {

/// A batch of token sequences, [b][L]; all rows must have the same length.
using TokenBatch = std::vector<std::vector<int64_t>>;

/// Index of the largest element along the last dimension, first one on ties
/// (what torch.argmax does on CPU); one entry per row.
std::vector<int64_t> argmaxLastDim(const Tensor &t);

/// Greedy decoding of `newTokens` tokens per row, for any model given as its
/// prefill (the prompt's logits [b, L, V], keeping the state after it) and
/// its decode step (one token per row in, logits [b, V] out, advancing the
/// state). The prompt must be non-empty.
TokenBatch
greedyDecode(const TokenBatch &prompt, int64_t newTokens,
             const std::function<Tensor(const TokenBatch &)> &prefill,
             const std::function<Tensor(const std::vector<int64_t> &)> &step);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_GREEDY_H
