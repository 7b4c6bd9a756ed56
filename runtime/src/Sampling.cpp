//===- Sampling.cpp - Choosing the next token from logits -----------------===//

#include "mamba/Runtime/Sampling.h"

#include <algorithm>
#include <cmath>

namespace mamba::runtime {

bool SamplingOptions::validate(std::string &error) const {
  if (!(temperature >= 0.0) || !std::isfinite(temperature)) {
    error = "the temperature must be 0 (greedy) or positive";
    return false;
  }
  if (topK < 0) {
    error = "top-k must be 0 (all tokens) or positive";
    return false;
  }
  if (!(topP > 0.0 && topP <= 1.0)) {
    error = "top-p must be in (0, 1]";
    return false;
  }
  return true;
}

int64_t Sampler::sample(const float *logits, int64_t vocab) {
  if (options_.temperature == 0.0) {
    // The first of equal maxima, as torch.argmax.
    int64_t best = 0;
    float bestValue = -INFINITY;
    bool found = false;
    for (int64_t i = 0; i < vocab; ++i)
      if (!std::isnan(logits[i]) && (!found || logits[i] > bestValue)) {
        best = i;
        bestValue = logits[i];
        found = true;
      }
    return best;
  }
  candidates_.clear();
  for (int64_t i = 0; i < vocab; ++i)
    if (!std::isnan(logits[i]))
      candidates_.push_back({logits[i], i});
  if (candidates_.empty())
    return 0;
  // Most likely first; equal logits by token, so the order is deterministic.
  auto byLogit = [](const auto &a, const auto &b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t keep = candidates_.size();
  if (options_.topK > 0 && static_cast<size_t>(options_.topK) < keep) {
    keep = static_cast<size_t>(options_.topK);
    std::partial_sort(candidates_.begin(), candidates_.begin() + keep,
                      candidates_.end(), byLogit);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), byLogit);
  }
  candidates_.resize(keep);

  std::vector<double> weights(keep);
  double top = candidates_[0].first / options_.temperature, sum = 0.0;
  for (size_t i = 0; i < keep; ++i) {
    weights[i] = std::exp(candidates_[i].first / options_.temperature - top);
    sum += weights[i];
  }
  if (options_.topP < 1.0) {
    // The smallest prefix whose probability reaches p (at least one token).
    double mass = 0.0;
    size_t n = 0;
    while (n < keep) {
      mass += weights[n] / sum;
      ++n;
      if (mass >= options_.topP)
        break;
    }
    keep = n;
    weights.resize(keep);
  }
  std::discrete_distribution<size_t> draw(weights.begin(), weights.end());
  return candidates_[draw(rng_)].second;
}

} // namespace mamba::runtime
