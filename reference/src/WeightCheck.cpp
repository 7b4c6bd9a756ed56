//===- WeightCheck.cpp - Looking up and checking a model's weights --------===//

#include "WeightCheck.h"

namespace mamba::reference::detail {

const Tensor &requireWeight(const std::string &op, const Weights &weights,
                            const std::string &name,
                            const std::vector<Dim> &shape) {
  auto it = weights.find(name);
  if (it == weights.end())
    fail(op, "weight '" + name + "' is missing");
  checkShape(op, "weight '" + name + "'", it->second, shape);
  return it->second;
}

const Tensor *flaggedWeight(const std::string &op, const Weights &weights,
                            const std::string &name,
                            const std::vector<Dim> &shape, bool enabled,
                            const char *flag) {
  if (enabled)
    return &requireWeight(op, weights, name, shape);
  if (weights.count(name))
    fail(op, "weight '" + name + "' is present but the config has " + flag +
                 "=false");
  return nullptr;
}

Tensor convWeightAsMatrix(const std::string &op, const Weights &weights,
                          const std::string &name, int64_t E, int64_t K) {
  auto it = weights.find(name);
  if (it == weights.end())
    fail(op, "weight '" + name + "' is missing");
  const Tensor &t = it->second;
  bool ok = (t.rank() == 2 && t.dim(0) == E && t.dim(1) == K) ||
            (t.rank() == 3 && t.dim(0) == E && t.dim(1) == 1 && t.dim(2) == K);
  if (!ok)
    fail(op, "weight '" + name + "' has shape " + formatShape(t.shape()) +
                 ", expected [E=" + std::to_string(E) + ", 1, K=" +
                 std::to_string(K) + "] or [E=" + std::to_string(E) +
                 ", K=" + std::to_string(K) + "]");
  return t.reshaped({E, K});
}

} // namespace mamba::reference::detail
