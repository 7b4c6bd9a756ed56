//===- LanguageModel.h - What the Mamba-1 and Mamba-2 LMs share
//------------===//
//
// The parts of a Mamba language model around its mixers: the embedding of a
// token batch, the residual add, and the final norm and vocabulary
// projection.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_LANGUAGEMODEL_H
#define MAMBA_REFERENCE_LANGUAGEMODEL_H

#include "mamba/Reference/Greedy.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Reference/Weights.h"

#include <string>

namespace mamba::reference::detail {

/// ids [b][L], every row of one length -> embeddings [b, L, D]; throws
/// naming the row that differs.
Tensor embedTokens(const std::string &op,
                   const Weights &weights, const TokenBatch &ids);

/// acc += x, elementwise (same shapes).
void addInPlace(Tensor &acc, const Tensor &x);

/// norm_f, then lm_head (the embedding table when `tied`): h [..., D] ->
/// logits [..., V].
Tensor logitsFromHidden(const Weights &weights,
                        const Tensor &h, bool tied, double eps);

} // namespace mamba::reference::detail

#endif // MAMBA_REFERENCE_LANGUAGEMODEL_H
