//===- ModelTest.cpp - Reference model on random weights ------------------===//
//
// The golden model covers one configuration; these cases cover the options
// it leaves out (biases, tied embeddings, squeezed conv weights, batches,
// prompts shorter than the conv kernel) and the weight validation.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <cmath>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::logitsAt;
using testing::randomTensor;
using testing::relativeL2Error;
using testing::throwsInvalidArgument;

ModelConfig smallConfig() {
  ModelConfig c;
  c.hidden = 8;
  c.layers = 2;
  c.vocab = 13;
  c.stateSize = 4;
  c.convKernel = 4;
  c.intermediate = 12;
  c.dtRank = 2;
  c.eps = 1e-5;
  c.useBias = true;
  c.useConvBias = true;
  c.tieEmbeddings = true;
  return c;
}

Weights randomWeights(const ModelConfig &c, unsigned seed) {
  std::mt19937 rng(seed);
  int64_t D = c.hidden, E = c.innerSize(), N = c.stateSize;
  int64_t K = c.convKernel, R = c.timeStepRank(), V = c.vocab;
  Weights w;
  w["backbone.embeddings.weight"] = randomTensor({V, D}, rng);
  w["backbone.norm_f.weight"] = randomTensor({D}, rng, 0.5, 1.5);
  if (!c.tieEmbeddings)
    w["lm_head.weight"] = randomTensor({V, D}, rng);
  for (int64_t l = 0; l < c.layers; ++l) {
    auto name = [&](const char *s) { return layerWeightName(l, s); };
    w[name("norm.weight")] = randomTensor({D}, rng, 0.5, 1.5);
    w[name("mixer.in_proj.weight")] = randomTensor({2 * E, D}, rng, -0.5, 0.5);
    if (c.useBias) {
      w[name("mixer.in_proj.bias")] = randomTensor({2 * E}, rng, -0.1, 0.1);
      w[name("mixer.out_proj.bias")] = randomTensor({D}, rng, -0.1, 0.1);
    }
    // Squeezed [E, K], the alternative layout the loader accepts.
    w[name("mixer.conv1d.weight")] = randomTensor({E, K}, rng, -0.5, 0.5);
    if (c.useConvBias)
      w[name("mixer.conv1d.bias")] = randomTensor({E}, rng, -0.1, 0.1);
    w[name("mixer.x_proj.weight")] =
        randomTensor({R + 2 * N, E}, rng, -0.5, 0.5);
    w[name("mixer.dt_proj.weight")] = randomTensor({E, R}, rng, -0.5, 0.5);
    w[name("mixer.dt_proj.bias")] = randomTensor({E}, rng, -3.0, -1.0);
    Tensor aLog = randomTensor({E, N}, rng, 0.0, 2.5);
    w[name("mixer.A_log")] = aLog;
    w[name("mixer.D")] = randomTensor({E}, rng);
    w[name("mixer.out_proj.weight")] = randomTensor({D, E}, rng, -0.5, 0.5);
  }
  return w;
}

TEST(Model, DecodeStepsEqualFullRecompute) {
  ModelConfig c = smallConfig();
  Weights w = randomWeights(c, 41);
  // A 2-token prompt is shorter than the conv kernel, so the prefill conv
  // state must be zero-padded on the left.
  TokenBatch sequences = {{3, 7}, {12, 0}};
  PrefillResult pre = prefill(c, w, sequences);
  EXPECT_TRUE(allClose(pre.logits, forward(c, w, sequences), 0.0));
  ASSERT_EQ(pre.state.layers.size(), 2u);
  EXPECT_EQ(pre.state.layers[0].conv.shape(), (Shape{2, 12, 4}));
  EXPECT_EQ(pre.state.layers[0].ssm.shape(), (Shape{2, 12, 4}));

  std::vector<std::vector<int64_t>> feed = {
      {5, 1}, {9, 9}, {0, 4}, {11, 2}, {6, 8}};
  for (const auto &tokens : feed) {
    Tensor step = decodeStep(c, w, pre.state, tokens);
    for (size_t i = 0; i < tokens.size(); ++i)
      sequences[i].push_back(tokens[i]);
    Tensor full = forward(c, w, sequences);
    EXPECT_LE(relativeL2Error(step, logitsAt(full, full.dim(1) - 1)), 1e-13);
  }
}

TEST(Model, BatchRowsAreIndependent) {
  ModelConfig c = smallConfig();
  c.tieEmbeddings = false;
  c.useBias = false;
  Weights w = randomWeights(c, 42);
  Tensor both = forward(c, w, {{1, 2, 3}, {4, 5, 6}});
  Tensor second = forward(c, w, {{4, 5, 6}});
  int64_t n = second.numel();
  Tensor tail(second.shape(),
              std::vector<double>(both.data() + n, both.data() + 2 * n));
  EXPECT_TRUE(allClose(tail, second, 0.0));
}

TEST(Model, GreedyGenerateMatchesRecompute) {
  ModelConfig c = smallConfig();
  Weights w = randomWeights(c, 43);
  TokenBatch prompt = {{1}, {7}};
  TokenBatch generated = greedyGenerate(c, w, prompt, 6);
  ASSERT_EQ(generated.size(), 2u);
  for (size_t i = 0; i < prompt.size(); ++i) {
    std::vector<int64_t> seq = prompt[i];
    for (int64_t step = 0; step < 6; ++step) {
      Tensor logits = forward(c, w, {seq});
      seq.push_back(argmaxLastDim(logitsAt(logits, logits.dim(1) - 1))[0]);
    }
    EXPECT_EQ(generated[i], std::vector<int64_t>(seq.begin() + 1, seq.end()));
  }
}

// A tied model reads lm_head from the embeddings: logits are the final
// hidden state dotted with each embedding row.
TEST(Model, TiedEmbeddingsIgnoreStoredLmHead) {
  ModelConfig c = smallConfig();
  Weights w = randomWeights(c, 44);
  Tensor tied = forward(c, w, {{2, 3}});
  w["lm_head.weight"] = Tensor::zeros({c.vocab, c.hidden});
  EXPECT_TRUE(allClose(forward(c, w, {{2, 3}}), tied, 0.0));
}

TEST(Model, ArgmaxTakesFirstMaximum) {
  EXPECT_EQ(argmaxLastDim(Tensor({2, 3}, {1, 5, 5, 7, 2, 7})),
            (std::vector<int64_t>{1, 0}));
}

TEST(Model, ValidationNamesTheWeight) {
  ModelConfig c = smallConfig();
  Weights good = randomWeights(c, 45);
  EXPECT_NO_THROW(validateWeights(c, good));

  Weights w = good;
  w.erase("backbone.layers.1.mixer.dt_proj.bias");
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { forward(c, w, {{1}}); },
      {"'backbone.layers.1.mixer.dt_proj.bias' is missing"}));

  w = good;
  w["backbone.layers.0.mixer.A_log"] = Tensor::zeros({12, 5});
  EXPECT_TRUE(
      throwsInvalidArgument([&] { validateWeights(c, w); },
                            {"'backbone.layers.0.mixer.A_log' has shape [12,5]",
                             "expected [E=12, N=4]"}));

  w = good;
  w["backbone.layers.0.mixer.conv1d.weight"] = Tensor::zeros({12, 2, 4});
  EXPECT_TRUE(throwsInvalidArgument([&] { validateWeights(c, w); },
                                    {"conv1d.weight' has shape [12,2,4]"}));
  w["backbone.layers.0.mixer.conv1d.weight"] = Tensor::zeros({12, 1, 4});
  EXPECT_NO_THROW(validateWeights(c, w));

  // A bias the config disables means the config was misread.
  ModelConfig noBias = c;
  noBias.useBias = false;
  EXPECT_TRUE(
      throwsInvalidArgument([&] { validateWeights(noBias, good); },
                            {"in_proj.bias' is present", "use_bias=false"}));

  ModelConfig untied = c;
  untied.tieEmbeddings = false;
  EXPECT_TRUE(throwsInvalidArgument([&] { validateWeights(untied, good); },
                                    {"'lm_head.weight' is missing"}));

  ModelConfig badConfig = c;
  badConfig.stateSize = 0;
  EXPECT_TRUE(throwsInvalidArgument([&] { validateWeights(badConfig, good); },
                                    {"state_size is 0"}));
}

TEST(Model, RejectsBadTokens) {
  ModelConfig c = smallConfig();
  Weights w = randomWeights(c, 46);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        forward(c, w, {{1, 2}, {3}});
      },
      {"ids row 1 has 1 tokens, expected 2"}));
  EXPECT_TRUE(throwsInvalidArgument([&] { forward(c, w, {{13}}); },
                                    {"id 13", "outside the vocabulary"}));

  PrefillResult pre = prefill(c, w, {{1, 2}});
  DecodeState before = pre.state;
  EXPECT_THROW(decodeStep(c, w, pre.state, {99}), std::invalid_argument);
  // A failed step must leave the state usable.
  EXPECT_TRUE(allClose(pre.state.layers[1].ssm, before.layers[1].ssm, 0.0));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        decodeStep(c, w, pre.state, {1, 2});
      },
      {"layer 0 conv state has shape [1,12,4]", "expected [b=2, E=12, K=4]"}));

  DecodeState empty;
  EXPECT_TRUE(throwsInvalidArgument([&] { decodeStep(c, w, empty, {1}); },
                                    {"state has 0 layers, expected 2"}));
  EXPECT_TRUE(throwsInvalidArgument([&] { greedyGenerate(c, w, {{}}, 3); },
                                    {"prompt is empty"}));
}

} // namespace
} // namespace mamba::reference
