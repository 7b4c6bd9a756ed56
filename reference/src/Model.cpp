//===- Model.cpp - Mamba-1 language model in the Hugging Face layout ------===//

#include "mamba/Reference/Model.h"

#include "ShapeCheck.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/Mixer.h"
#include "mamba/Reference/RmsNorm.h"

namespace mamba::reference {

using detail::checkShape;
using detail::fail;

namespace {

const Tensor &lmHead(const ModelConfig &config, const Weights &weights) {
  return weights.at(config.tieEmbeddings ? "backbone.embeddings.weight"
                                         : "lm_head.weight");
}

void addInPlace(Tensor &acc, const Tensor &x) {
  for (int64_t i = 0; i < acc.numel(); ++i)
    acc[i] += x[i];
}

/// Everything after the last mixer: final norm and the vocabulary projection.
Tensor logitsFromHidden(const ModelConfig &config, const Weights &weights,
                        const Tensor &h) {
  Tensor normed =
      rmsNorm(h, weights.at("backbone.norm_f.weight"), nullptr, config.eps).y;
  return linear(normed, lmHead(config, weights));
}

Tensor runPrefill(const ModelConfig &config, const Weights &weights,
                  const TokenBatch &ids, DecodeState *state) {
  validateWeights(config, weights);
  int64_t b = static_cast<int64_t>(ids.size());
  int64_t L = b ? static_cast<int64_t>(ids[0].size()) : 0;
  std::vector<int64_t> flat;
  for (int64_t i = 0; i < b; ++i) {
    if (static_cast<int64_t>(ids[i].size()) != L)
      fail("forward", "ids row " + std::to_string(i) + " has " +
                          std::to_string(ids[i].size()) + " tokens, expected " +
                          std::to_string(L) + " like row 0");
    flat.insert(flat.end(), ids[i].begin(), ids[i].end());
  }

  Tensor h = embedding(weights.at("backbone.embeddings.weight"), flat, {b, L});
  if (state)
    state->layers.assign(config.layers, LayerState());
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    MixerWeights w = getMixerWeights(config, weights, layer);
    const Tensor &norm = weights.at(layerWeightName(layer, "norm.weight"));
    Tensor mixed =
        mixerForward(config, w, rmsNorm(h, norm, nullptr, config.eps).y,
                     state ? &state->layers[layer] : nullptr);
    addInPlace(h, mixed);
  }
  return logitsFromHidden(config, weights, h);
}

} // namespace

Tensor forward(const ModelConfig &config, const Weights &weights,
               const TokenBatch &ids) {
  return runPrefill(config, weights, ids, nullptr);
}

PrefillResult prefill(const ModelConfig &config, const Weights &weights,
                      const TokenBatch &ids) {
  PrefillResult result;
  result.logits = runPrefill(config, weights, ids, &result.state);
  return result;
}

Tensor decodeStep(const ModelConfig &config, const Weights &weights,
                  DecodeState &state, const std::vector<int64_t> &ids) {
  validateWeights(config, weights);
  if (static_cast<int64_t>(state.layers.size()) != config.layers)
    fail("decode_step", "state has " + std::to_string(state.layers.size()) +
                            " layers, expected " +
                            std::to_string(config.layers));
  int64_t b = static_cast<int64_t>(ids.size());
  int64_t E = config.innerSize();
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    std::string prefix = "layer " + std::to_string(layer);
    checkShape("decode_step", prefix + " conv state", state.layers[layer].conv,
               {{"b", b}, {"E", E}, {"K", config.convKernel}});
    checkShape("decode_step", prefix + " ssm state", state.layers[layer].ssm,
               {{"b", b}, {"E", E}, {"N", config.stateSize}});
  }
  Tensor h = embedding(weights.at("backbone.embeddings.weight"), ids, {b});
  // Work on a copy so that a throwing layer leaves the caller's state intact.
  DecodeState next = state;
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    MixerWeights w = getMixerWeights(config, weights, layer);
    const Tensor &norm = weights.at(layerWeightName(layer, "norm.weight"));
    Tensor mixed = mixerStep(config, w, rmsNorm(h, norm, nullptr, config.eps).y,
                             next.layers[layer]);
    addInPlace(h, mixed);
  }
  state = std::move(next);
  return logitsFromHidden(config, weights, h);
}

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

TokenBatch greedyGenerate(const ModelConfig &config, const Weights &weights,
                          const TokenBatch &prompt, int64_t newTokens) {
  if (prompt.empty() || prompt[0].empty())
    fail("greedy_generate", "the prompt is empty, expected at least one token");
  if (newTokens < 0)
    fail("greedy_generate",
         "newTokens is " + std::to_string(newTokens) + ", expected >= 0");
  int64_t b = static_cast<int64_t>(prompt.size());
  TokenBatch generated(b);
  if (newTokens == 0)
    return generated;

  PrefillResult pre = prefill(config, weights, prompt);
  int64_t L = pre.logits.dim(1), V = pre.logits.dim(2);
  Tensor last = Tensor::zeros({b, V});
  for (int64_t i = 0; i < b; ++i)
    for (int64_t v = 0; v < V; ++v)
      last[i * V + v] = pre.logits[(i * L + L - 1) * V + v];

  std::vector<int64_t> next = argmaxLastDim(last);
  for (int64_t step = 0;; ++step) {
    for (int64_t i = 0; i < b; ++i)
      generated[i].push_back(next[i]);
    if (step + 1 == newTokens)
      break;
    next = argmaxLastDim(decodeStep(config, weights, pre.state, next));
  }
  return generated;
}

} // namespace mamba::reference
