//===- ModelWeights.cpp - Config and weight validation for the model ------===//
//
// A reference model that silently ran with a misread config would make every
// downstream comparison meaningless, so the checks here are deliberately
// strict: each weight is checked against the shape the config implies.
//
//===----------------------------------------------------------------------===//

#include "mamba/Reference/Mixer.h"

#include "ShapeCheck.h"
#include "WeightCheck.h"

#include <cmath>

namespace mamba::reference {

using detail::fail;

using detail::convWeightAsMatrix;
using detail::flaggedWeight;
using detail::requireWeight;

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

MixerWeights getMixerWeights(const ModelConfig &config, const Weights &weights,
                             int64_t layer) {
  int64_t D = config.hidden, E = config.innerSize(), N = config.stateSize;
  int64_t K = config.convKernel, R = config.timeStepRank();
  auto name = [&](const char *suffix) {
    return layerWeightName(layer, std::string("mixer.") + suffix);
  };

  MixerWeights w;
  w.inProj = &requireWeight(kOp, weights, name("in_proj.weight"),
                            {{"2E", 2 * E}, {"D", D}});
  w.inProjBias = flaggedWeight(kOp, weights, name("in_proj.bias"),
                               {{"2E", 2 * E}}, config.useBias, "use_bias");
  w.convWeight = convWeightAsMatrix(kOp, weights, name("conv1d.weight"), E, K);
  w.convBias = flaggedWeight(kOp, weights, name("conv1d.bias"), {{"E", E}},
                             config.useConvBias, "use_conv_bias");
  w.xProj = &requireWeight(kOp, weights, name("x_proj.weight"),
                           {{"R+2N", R + 2 * N}, {"E", E}});
  w.dtProj = &requireWeight(kOp, weights, name("dt_proj.weight"),
                            {{"E", E}, {"R", R}});
  w.dtProjBias = &requireWeight(kOp, weights, name("dt_proj.bias"), {{"E", E}});
  const Tensor &aLog =
      requireWeight(kOp, weights, name("A_log"), {{"E", E}, {"N", N}});
  w.A = Tensor::zeros({E, N});
  for (int64_t i = 0; i < w.A.numel(); ++i)
    w.A[i] = -std::exp(aLog[i]);
  w.D = &requireWeight(kOp, weights, name("D"), {{"E", E}});
  w.outProj = &requireWeight(kOp, weights, name("out_proj.weight"),
                             {{"D", D}, {"E", E}});
  w.outProjBias = flaggedWeight(kOp, weights, name("out_proj.bias"), {{"D", D}},
                                config.useBias, "use_bias");
  requireWeight(kOp, weights, layerWeightName(layer, "norm.weight"),
                {{"D", D}});
  return w;
}

void validateWeights(const ModelConfig &config, const Weights &weights) {
  validateConfig(config);
  int64_t D = config.hidden, V = config.vocab;
  requireWeight(kOp, weights, "backbone.embeddings.weight",
                {{"V", V}, {"D", D}});
  requireWeight(kOp, weights, "backbone.norm_f.weight", {{"D", D}});
  // With tied embeddings Hugging Face ignores a stored lm_head.weight.
  if (!config.tieEmbeddings)
    requireWeight(kOp, weights, "lm_head.weight", {{"V", V}, {"D", D}});
  for (int64_t layer = 0; layer < config.layers; ++layer)
    getMixerWeights(config, weights, layer);
}

} // namespace mamba::reference
