//===- Greedy.cpp - Greedy decoding over any reference model --------------===//

#include "mamba/Reference/Greedy.h"

#include "ShapeCheck.h"

namespace mamba::reference {

using detail::fail;

std::vector<int64_t> argmaxLastDim(const Tensor &t) {
  if (t.rank() < 1 || t.dim(-1) == 0)
    fail("argmax", "t has shape " + formatShape(t.shape()) +
                       ", expected [..., n] with n > 0");
  int64_t n = t.dim(-1);
  std::vector<int64_t> result(t.numel() / n);
  for (size_t row = 0; row < result.size(); ++row) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
      if (t[row * n + i] > t[row * n + best])
        best = i;
    result[row] = best;
  }
  return result;
}

TokenBatch
greedyDecode(const TokenBatch &prompt, int64_t newTokens,
             const std::function<Tensor(const TokenBatch &)> &prefill,
             const std::function<Tensor(const std::vector<int64_t> &)> &step) {
  if (prompt.empty() || prompt[0].empty())
    fail("greedy_generate", "the prompt is empty, expected at least one token");
  if (newTokens < 0)
    fail("greedy_generate",
         "newTokens is " + std::to_string(newTokens) + ", expected >= 0");
  int64_t b = static_cast<int64_t>(prompt.size());
  TokenBatch generated(b);
  if (newTokens == 0)
    return generated;

  Tensor logits = prefill(prompt);
  int64_t L = logits.dim(1), V = logits.dim(2);
  Tensor last = Tensor::zeros({b, V});
  for (int64_t i = 0; i < b; ++i)
    for (int64_t v = 0; v < V; ++v)
      last[i * V + v] = logits[(i * L + L - 1) * V + v];

  std::vector<int64_t> next = argmaxLastDim(last);
  for (int64_t s = 0;; ++s) {
    for (int64_t i = 0; i < b; ++i)
      generated[i].push_back(next[i]);
    if (s + 1 == newTokens)
      break;
    next = argmaxLastDim(step(next));
  }
  return generated;
}

} // namespace mamba::reference
