//===- LanguageModel.cpp - What the Mamba-1 and Mamba-2 LMs share ---------===//

#include "LanguageModel.h"

#include "ShapeCheck.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/RmsNorm.h"

namespace mamba::reference::detail {

Tensor embedTokens(const std::string &op,
                   const Weights &weights,
                   const TokenBatch &ids) {
  int64_t b = static_cast<int64_t>(ids.size());
  int64_t L = b ? static_cast<int64_t>(ids[0].size()) : 0;
  std::vector<int64_t> flat;
  for (int64_t i = 0; i < b; ++i) {
    if (static_cast<int64_t>(ids[i].size()) != L)
      fail(op, "ids row " + std::to_string(i) + " has " +
                   std::to_string(ids[i].size()) + " tokens, expected " +
                   std::to_string(L) + " like row 0");
    flat.insert(flat.end(), ids[i].begin(), ids[i].end());
  }
  return embedding(weights.at("backbone.embeddings.weight"), flat, {b, L});
}

void addInPlace(Tensor &acc, const Tensor &x) {
  for (int64_t i = 0; i < acc.numel(); ++i)
    acc[i] += x[i];
}

Tensor logitsFromHidden(const Weights &weights,
                        const Tensor &h, bool tied, double eps) {
  Tensor normed =
      rmsNorm(h, weights.at("backbone.norm_f.weight"), nullptr, eps).y;
  return linear(normed, weights.at(tied ? "backbone.embeddings.weight"
                                        : "lm_head.weight"));
}

} // namespace mamba::reference::detail
