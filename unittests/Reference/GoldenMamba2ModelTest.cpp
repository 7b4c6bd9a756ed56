//===- GoldenMamba2ModelTest.cpp - Reference Mamba-2 against its golden LM ===//
//
// model-tiny-mamba2 is a 2-layer Mamba2ForCausalLM with n_groups = 2, whose
// expected logits and greedy tokens come from an independent float64
// forward with mamba_ssm's per-group gated norm. The reference must
// reproduce them to float64 round-off, and its decode steps must agree
// with its own prefill.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <iostream>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::logitsAt;
using testing::relativeL2Error;
using testing::throwsInvalidArgument;

class GoldenMamba2ModelTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    lm_ = testing::readGoldenLm("model-tiny-mamba2");
    if (lm_.error.empty())
      config_ = testing::mamba2ConfigFromHuggingFace(lm_.config);
  }
  void SetUp() override { ASSERT_TRUE(lm_.error.empty()) << lm_.error; }

  static testing::GoldenLm lm_;
  static Mamba2Config config_;
};

testing::GoldenLm GoldenMamba2ModelTest::lm_;
Mamba2Config GoldenMamba2ModelTest::config_;

TEST_F(GoldenMamba2ModelTest, ConfigAndWeightsMatch) {
  EXPECT_EQ(config_.hidden, 64);
  EXPECT_EQ(config_.heads, 8);
  EXPECT_EQ(config_.headDim, 16);
  EXPECT_EQ(config_.groups, 2);
  EXPECT_EQ(config_.inProjSize(), 328);
  EXPECT_EQ(config_.dt.high, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(config_.tieEmbeddings);
  // Embeddings, lm_head, norm_f, and nine tensors per layer.
  EXPECT_EQ(lm_.weights.size(), 3u + 9u * config_.layers);
  EXPECT_NO_THROW(validateMamba2Weights(config_, lm_.weights));
}

TEST_F(GoldenMamba2ModelTest, PrefillReproducesLogits) {
  Tensor logits = mamba2Prefill(config_, lm_.weights, {lm_.prompt}).logits;
  int64_t L = static_cast<int64_t>(lm_.prompt.size());
  ASSERT_EQ(logits.shape(), (Shape{1, L, config_.vocab}));
  Tensor flat = logits.reshaped(lm_.logits.shape());
  double err = relativeL2Error(flat, lm_.logits);
  std::cout << "[          ] golden logits relative L2 error: " << err << "\n";
  EXPECT_LE(err, 1e-10);
  EXPECT_TRUE(allClose(flat, lm_.logits, 1e-9, 1e-12));
}

TEST_F(GoldenMamba2ModelTest, GreedyDecodingReproducesTokens) {
  TokenBatch tokens =
      mamba2GreedyGenerate(config_, lm_.weights, {lm_.prompt},
                           static_cast<int64_t>(lm_.tokens.size()));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0], lm_.tokens);
}

TEST_F(GoldenMamba2ModelTest, DecodeStepsEqualPrefill) {
  // A batch of two different prompts: prefill of the first 3 tokens, then
  // decode steps, against prefill of every prefix.
  TokenBatch ids = {lm_.prompt, lm_.prompt};
  for (int64_t &id : ids[1])
    id = (id * 7 + 3) % config_.vocab;
  const int64_t L = static_cast<int64_t>(lm_.prompt.size()), start = 3;
  Tensor full = mamba2Prefill(config_, lm_.weights, ids).logits;
  TokenBatch head = {{ids[0].begin(), ids[0].begin() + start},
                     {ids[1].begin(), ids[1].begin() + start}};
  Mamba2State state = mamba2Prefill(config_, lm_.weights, head).state;
  for (int64_t t = start; t < L; ++t) {
    Tensor step =
        mamba2DecodeStep(config_, lm_.weights, state, {ids[0][t], ids[1][t]});
    EXPECT_TRUE(allClose(step, logitsAt(full, t), 1e-10, 1e-12))
        << "position " << t;
  }
}

TEST_F(GoldenMamba2ModelTest, TheNormIsPerGroup) {
  // transformers' Mamba2 normalizes over all of d_inner; with n_groups = 2
  // that is another model, and the golden logits are mamba_ssm's.
  Mamba2Config whole = config_;
  whole.normPerGroup = false;
  Tensor logits = mamba2Prefill(whole, lm_.weights, {lm_.prompt}).logits;
  EXPECT_GT(relativeL2Error(logits.reshaped(lm_.logits.shape()), lm_.logits),
            1e-3);
}

TEST_F(GoldenMamba2ModelTest, BadConfigsAndWeightsAreErrors) {
  Mamba2Config c = config_;
  c.heads = 6;
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { validateMamba2Config(c); },
      {"num_heads x head_dim is 6 x 16", "expand x hidden_size = 128"}));
  c = config_;
  c.groups = 3;
  EXPECT_TRUE(throwsInvalidArgument([&] { validateMamba2Config(c); },
                                    {"n_groups is 3", "num_heads = 8"}));
  c = config_;
  c.dt.low = 0.5;
  c.dt.high = 0.1;
  EXPECT_TRUE(throwsInvalidArgument([&] { validateMamba2Config(c); },
                                    {"time_step_limit is (0.5"}));
  Weights missing = lm_.weights;
  missing.erase("backbone.layers.1.mixer.norm.weight");
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { validateMamba2Weights(config_, missing); },
      {"weight 'backbone.layers.1.mixer.norm.weight' is missing"}));
  Weights biased = lm_.weights;
  biased["backbone.layers.0.mixer.in_proj.bias"] = Tensor::zeros({328});
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { validateMamba2Weights(config_, biased); },
      {"in_proj.bias' is present but the config has use_bias=false"}));
  Mamba2State empty;
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { mamba2DecodeStep(config_, lm_.weights, empty, {1}); },
      {"state has 0 layers, expected 2"}));
}

} // namespace
} // namespace mamba::reference
