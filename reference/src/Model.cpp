//===- Model.cpp - Mamba-1 language model in the Hugging Face layout ------===//

#include "mamba/Reference/Model.h"

#include "LanguageModel.h"
#include "ShapeCheck.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/Mixer.h"
#include "mamba/Reference/RmsNorm.h"

namespace mamba::reference {

using detail::addInPlace;
using detail::checkShape;
using detail::embedTokens;
using detail::fail;
using detail::logitsFromHidden;

namespace {

Tensor runPrefill(const ModelConfig &config, const Weights &weights,
                  const TokenBatch &ids, DecodeState *state) {
  validateWeights(config, weights);
  Tensor h = embedTokens("forward", weights, ids);
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
  return logitsFromHidden(weights, h, config.tieEmbeddings, config.eps);
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
  return logitsFromHidden(weights, h, config.tieEmbeddings, config.eps);
}

TokenBatch greedyGenerate(const ModelConfig &config, const Weights &weights,
                          const TokenBatch &prompt, int64_t newTokens) {
  DecodeState state;
  return greedyDecode(
      prompt, newTokens,
      [&](const TokenBatch &ids) {
        PrefillResult pre = prefill(config, weights, ids);
        state = std::move(pre.state);
        return pre.logits;
      },
      [&](const std::vector<int64_t> &ids) {
        return decodeStep(config, weights, state, ids);
      });
}

} // namespace mamba::reference
