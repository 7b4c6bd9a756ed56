//===- GoldenModelTest.cpp - Reference model against the golden tiny LM ---===//
//
// model-tiny is a 2-layer Mamba-1 LM in the Hugging Face layout. Its expected
// logits come from an independent float64 forward, so the reference model
// must reproduce them to float64 round-off, and its own decode path must
// agree with its own full recompute.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <iostream>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::logitsAt;
using testing::relativeL2Error;

class GoldenModelTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    lm_ = testing::readGoldenLm("model-tiny");
    if (lm_.error.empty())
      config_ = testing::configFromHuggingFace(lm_.config);
  }
  void SetUp() override { ASSERT_TRUE(lm_.error.empty()) << lm_.error; }

  static testing::GoldenLm lm_;
  static ModelConfig config_;
};

testing::GoldenLm GoldenModelTest::lm_;
ModelConfig GoldenModelTest::config_;

TEST_F(GoldenModelTest, ConfigAndWeightsMatch) {
  EXPECT_EQ(config_.hidden, 64);
  EXPECT_EQ(config_.layers, 2);
  EXPECT_EQ(config_.innerSize(), 128);
  EXPECT_EQ(config_.timeStepRank(), 4);
  EXPECT_FALSE(config_.tieEmbeddings);
  // Embeddings, lm_head, norm_f, and ten tensors per layer.
  EXPECT_EQ(lm_.weights.size(), 3u + 10u * config_.layers);
  EXPECT_NO_THROW(validateWeights(config_, lm_.weights));
}

TEST_F(GoldenModelTest, ForwardReproducesLogits) {
  Tensor logits = forward(config_, lm_.weights, {lm_.prompt});
  int64_t L = static_cast<int64_t>(lm_.prompt.size());
  ASSERT_EQ(logits.shape(), (Shape{1, L, config_.vocab}));
  Tensor flat = logits.reshaped(lm_.logits.shape());
  double err = relativeL2Error(flat, lm_.logits);
  RecordProperty("logits_relative_l2_error", std::to_string(err));
  std::cout << "[          ] golden logits relative L2 error: " << err << "\n";
  EXPECT_LE(err, 1e-10);
  EXPECT_TRUE(allClose(flat, lm_.logits, 1e-9, 1e-12));
}

TEST_F(GoldenModelTest, GreedyByFullRecomputeMatches) {
  std::vector<int64_t> sequence = lm_.prompt;
  std::vector<int64_t> generated;
  for (size_t i = 0; i < lm_.tokens.size(); ++i) {
    Tensor logits = forward(config_, lm_.weights, {sequence});
    int64_t next = argmaxLastDim(logitsAt(logits, logits.dim(1) - 1))[0];
    generated.push_back(next);
    sequence.push_back(next);
  }
  EXPECT_EQ(generated, lm_.tokens);
}

TEST_F(GoldenModelTest, GreedyByDecodeStepsMatches) {
  TokenBatch generated =
      greedyGenerate(config_, lm_.weights, {lm_.prompt},
                     static_cast<int64_t>(lm_.tokens.size()));
  ASSERT_EQ(generated.size(), 1u);
  EXPECT_EQ(generated[0], lm_.tokens);
}

// The decode path is a different evaluation order of the same math, so each
// step's logits must equal the last position of a full recompute.
TEST_F(GoldenModelTest, DecodeStepLogitsEqualFullRecompute) {
  PrefillResult pre = prefill(config_, lm_.weights, {lm_.prompt});
  std::vector<int64_t> sequence = lm_.prompt;
  for (int64_t token : lm_.tokens) {
    SCOPED_TRACE("after " + std::to_string(sequence.size()) + " tokens");
    Tensor stepLogits = decodeStep(config_, lm_.weights, pre.state, {token});
    sequence.push_back(token);
    Tensor full = forward(config_, lm_.weights, {sequence});
    Tensor expected = logitsAt(full, full.dim(1) - 1);
    EXPECT_LE(relativeL2Error(stepLogits, expected), 1e-13);
    EXPECT_TRUE(allClose(stepLogits, expected, 1e-11, 1e-13));
  }
}

} // namespace
} // namespace mamba::reference
