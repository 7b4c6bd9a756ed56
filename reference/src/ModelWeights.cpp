//===- ModelWeights.cpp - Config and weight validation for the model ------===//
//
// A reference model that silently ran with a misread config would make every
// downstream comparison meaningless, so the checks here are deliberately
// strict: each weight is checked against the shape the config implies.
//
//===----------------------------------------------------------------------===//

#include "mamba/Reference/Mixer.h"

#include "ShapeCheck.h"

#include <cmath>

namespace mamba::reference {

using detail::checkShape;
using detail::Dim;
using detail::fail;

static const char *const kOp = "mamba model";

void validateConfig(const ModelConfig &config) {
  auto requirePositive = [](const char *field, int64_t value) {
    if (value <= 0)
      fail(kOp, std::string("config ") + field + " is " +
                    std::to_string(value) + ", expected > 0");
  };
  requirePositive("hidden_size", config.hidden);
  requirePositive("vocab_size", config.vocab);
  requirePositive("state_size", config.stateSize);
  requirePositive("conv_kernel", config.convKernel);
  requirePositive("intermediate_size", config.innerSize());
  requirePositive("time_step_rank", config.timeStepRank());
  if (config.layers < 0)
    fail(kOp, "config num_hidden_layers is " + std::to_string(config.layers) +
                  ", expected >= 0");
  if (!(config.eps >= 0.0))
    fail(kOp, "config layer_norm_epsilon is " + std::to_string(config.eps) +
                  ", expected >= 0");
}

std::string layerWeightName(int64_t layer, const std::string &suffix) {
  return "backbone.layers." + std::to_string(layer) + "." + suffix;
}

namespace {

const Tensor &requireWeight(const Weights &weights, const std::string &name,
                            const std::vector<Dim> &shape) {
  auto it = weights.find(name);
  if (it == weights.end())
    fail(kOp, "weight '" + name + "' is missing");
  checkShape(kOp, "weight '" + name + "'", it->second, shape);
  return it->second;
}

/// A weight that exists exactly when a config flag is set.
const Tensor *flaggedWeight(const Weights &weights, const std::string &name,
                            const std::vector<Dim> &shape, bool enabled,
                            const char *flag) {
  if (enabled)
    return &requireWeight(weights, name, shape);
  if (weights.count(name))
    fail(kOp, "weight '" + name + "' is present but the config has " + flag +
                  "=false");
  return nullptr;
}

/// PyTorch stores the depthwise conv as [E, 1, K]; [E, K] is accepted too
/// because converted checkpoints sometimes squeeze it.
Tensor convWeightAsMatrix(const Weights &weights, const std::string &name,
                          int64_t E, int64_t K) {
  auto it = weights.find(name);
  if (it == weights.end())
    fail(kOp, "weight '" + name + "' is missing");
  const Tensor &t = it->second;
  bool ok = (t.rank() == 2 && t.dim(0) == E && t.dim(1) == K) ||
            (t.rank() == 3 && t.dim(0) == E && t.dim(1) == 1 && t.dim(2) == K);
  if (!ok)
    fail(kOp, "weight '" + name + "' has shape " + formatShape(t.shape()) +
                  ", expected [E=" + std::to_string(E) + ", 1, K=" +
                  std::to_string(K) + "] or [E=" + std::to_string(E) +
                  ", K=" + std::to_string(K) + "]");
  return t.reshaped({E, K});
}

} // namespace

MixerWeights getMixerWeights(const ModelConfig &config, const Weights &weights,
                             int64_t layer) {
  int64_t D = config.hidden, E = config.innerSize(), N = config.stateSize;
  int64_t K = config.convKernel, R = config.timeStepRank();
  auto name = [&](const char *suffix) {
    return layerWeightName(layer, std::string("mixer.") + suffix);
  };

  MixerWeights w;
  w.inProj = &requireWeight(weights, name("in_proj.weight"),
                            {{"2E", 2 * E}, {"D", D}});
  w.inProjBias = flaggedWeight(weights, name("in_proj.bias"), {{"2E", 2 * E}},
                               config.useBias, "use_bias");
  w.convWeight = convWeightAsMatrix(weights, name("conv1d.weight"), E, K);
  w.convBias = flaggedWeight(weights, name("conv1d.bias"), {{"E", E}},
                             config.useConvBias, "use_conv_bias");
  w.xProj = &requireWeight(weights, name("x_proj.weight"),
                           {{"R+2N", R + 2 * N}, {"E", E}});
  w.dtProj =
      &requireWeight(weights, name("dt_proj.weight"), {{"E", E}, {"R", R}});
  w.dtProjBias = &requireWeight(weights, name("dt_proj.bias"), {{"E", E}});
  const Tensor &aLog =
      requireWeight(weights, name("A_log"), {{"E", E}, {"N", N}});
  w.A = Tensor::zeros({E, N});
  for (int64_t i = 0; i < w.A.numel(); ++i)
    w.A[i] = -std::exp(aLog[i]);
  w.D = &requireWeight(weights, name("D"), {{"E", E}});
  w.outProj =
      &requireWeight(weights, name("out_proj.weight"), {{"D", D}, {"E", E}});
  w.outProjBias = flaggedWeight(weights, name("out_proj.bias"), {{"D", D}},
                                config.useBias, "use_bias");
  requireWeight(weights, layerWeightName(layer, "norm.weight"), {{"D", D}});
  return w;
}

void validateWeights(const ModelConfig &config, const Weights &weights) {
  validateConfig(config);
  int64_t D = config.hidden, V = config.vocab;
  requireWeight(weights, "backbone.embeddings.weight", {{"V", V}, {"D", D}});
  requireWeight(weights, "backbone.norm_f.weight", {{"D", D}});
  // With tied embeddings Hugging Face ignores a stored lm_head.weight.
  if (!config.tieEmbeddings)
    requireWeight(weights, "lm_head.weight", {{"V", V}, {"D", D}});
  for (int64_t layer = 0; layer < config.layers; ++layer)
    getMixerWeights(config, weights, layer);
}

} // namespace mamba::reference
