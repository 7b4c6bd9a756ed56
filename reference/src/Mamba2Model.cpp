//===- Mamba2Model.cpp - Mamba-2 language model in the Hugging Face layout ===//

#include "mamba/Reference/Mamba2Model.h"

#include "LanguageModel.h"
#include "Mamba2Mixer.h"
#include "WeightCheck.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/RmsNorm.h"

namespace mamba::reference {

using detail::addInPlace;
using detail::checkShape;
using detail::fail;

namespace {

const char *const kOp = "mamba2 model";

const Tensor &layerNorm(const Weights &weights, int64_t layer) {
  return weights.at(layerWeightName(layer, "norm.weight"));
}

} // namespace

void validateMamba2Config(const Mamba2Config &c) {
  auto requirePositive = [](const char *field, int64_t value) {
    if (value <= 0)
      fail(kOp, std::string("config ") + field + " is " +
                    std::to_string(value) + ", expected > 0");
  };
  requirePositive("hidden_size", c.hidden);
  requirePositive("vocab_size", c.vocab);
  requirePositive("state_size", c.stateSize);
  requirePositive("conv_kernel", c.convKernel);
  requirePositive("expand", c.expand);
  requirePositive("head_dim", c.headDim);
  requirePositive("num_heads", c.heads);
  requirePositive("n_groups", c.groups);
  requirePositive("chunk_size", c.chunkSize);
  if (c.layers < 0)
    fail(kOp, "config num_hidden_layers is " + std::to_string(c.layers) +
                  ", expected >= 0");
  if (c.heads * c.headDim != c.innerSize())
    fail(kOp, "config num_heads x head_dim is " + std::to_string(c.heads) +
                  " x " + std::to_string(c.headDim) +
                  ", expected expand x hidden_size = " +
                  std::to_string(c.innerSize()));
  if (c.heads % c.groups != 0)
    fail(kOp,
         "config n_groups is " + std::to_string(c.groups) +
             ", which does not divide num_heads = " + std::to_string(c.heads));
  if (!(c.eps >= 0.0))
    fail(kOp, "config layer_norm_epsilon is " + std::to_string(c.eps) +
                  ", expected >= 0");
  if (!(c.dt.low <= c.dt.high) || !(c.dt.low >= 0.0))
    fail(kOp, "config time_step_limit is (" + std::to_string(c.dt.low) + ", " +
                  std::to_string(c.dt.high) + "), expected 0 <= low <= high");
}

void validateMamba2Weights(const Mamba2Config &config, const Weights &weights) {
  validateMamba2Config(config);
  const int64_t D = config.hidden, V = config.vocab;
  detail::requireWeight(kOp, weights, "backbone.embeddings.weight",
                        {{"V", V}, {"D", D}});
  detail::requireWeight(kOp, weights, "backbone.norm_f.weight", {{"D", D}});
  if (!config.tieEmbeddings)
    detail::requireWeight(kOp, weights, "lm_head.weight", {{"V", V}, {"D", D}});
  for (int64_t layer = 0; layer < config.layers; ++layer)
    detail::getMamba2MixerWeights(config, weights, layer);
}

Mamba2PrefillResult mamba2Prefill(const Mamba2Config &config,
                                  const Weights &weights,
                                  const TokenBatch &ids) {
  validateMamba2Weights(config, weights);
  Tensor h = detail::embedTokens("mamba2_prefill", weights, ids);
  Mamba2PrefillResult result;
  result.state.layers.assign(config.layers, Mamba2LayerState());
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    Tensor normed =
        rmsNorm(h, layerNorm(weights, layer), nullptr, config.eps).y;
    addInPlace(h, detail::mamba2MixerForward(
                      config,
                      detail::getMamba2MixerWeights(config, weights, layer),
                      normed, &result.state.layers[layer]));
  }
  result.logits =
      detail::logitsFromHidden(weights, h, config.tieEmbeddings, config.eps);
  return result;
}

Tensor mamba2DecodeStep(const Mamba2Config &config, const Weights &weights,
                        Mamba2State &state, const std::vector<int64_t> &ids) {
  validateMamba2Weights(config, weights);
  if (static_cast<int64_t>(state.layers.size()) != config.layers)
    fail("mamba2_decode_step",
         "state has " + std::to_string(state.layers.size()) +
             " layers, expected " + std::to_string(config.layers));
  const int64_t b = static_cast<int64_t>(ids.size());
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    const std::string prefix = "layer " + std::to_string(layer);
    checkShape(
        "mamba2_decode_step", prefix + " conv state", state.layers[layer].conv,
        {{"b", b}, {"E+2GN", config.convChannels()}, {"K", config.convKernel}});
    checkShape("mamba2_decode_step", prefix + " ssm state",
               state.layers[layer].ssm,
               {{"b", b},
                {"H", config.heads},
                {"P", config.headDim},
                {"N", config.stateSize}});
  }
  Tensor h = embedding(weights.at("backbone.embeddings.weight"), ids, {b});
  // Work on a copy so that a throwing layer leaves the caller's state intact.
  Mamba2State next = state;
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    Tensor normed =
        rmsNorm(h, layerNorm(weights, layer), nullptr, config.eps).y;
    addInPlace(h, detail::mamba2MixerStep(
                      config,
                      detail::getMamba2MixerWeights(config, weights, layer),
                      normed, next.layers[layer]));
  }
  state = std::move(next);
  return detail::logitsFromHidden(weights, h, config.tieEmbeddings, config.eps);
}

TokenBatch mamba2GreedyGenerate(const Mamba2Config &config,
                                const Weights &weights,
                                const TokenBatch &prompt, int64_t newTokens) {
  Mamba2State state;
  return greedyDecode(
      prompt, newTokens,
      [&](const TokenBatch &ids) {
        Mamba2PrefillResult pre = mamba2Prefill(config, weights, ids);
        state = std::move(pre.state);
        return pre.logits;
      },
      [&](const std::vector<int64_t> &ids) {
        return mamba2DecodeStep(config, weights, state, ids);
      });
}

} // namespace mamba::reference
