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
using testing::goldenDir;
using testing::logitsAt;
using testing::readJsonFile;
using testing::relativeL2Error;
using testing::tensorFromJson;

class GoldenModelTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    std::string dir = goldenDir() + "/model-tiny";
    config_ =
        testing::configFromHuggingFace(readJsonFile(dir + "/config.json"));
    std::string error;
    loaded_ = testing::loadWeights(dir + "/model.safetensors", weights_, error);
    loadError_ = error;
    nlohmann::json expected = readJsonFile(dir + "/expected.json");
    prompt_ = expected.at("prompt").get<std::vector<int64_t>>();
    expectedLogits_ = tensorFromJson(expected.at("logits"));
    expectedTokens_ =
        expected.at("greedy_new_tokens").get<std::vector<int64_t>>();
  }

  void SetUp() override { ASSERT_TRUE(loaded_) << loadError_; }

  static ModelConfig config_;
  static Weights weights_;
  static bool loaded_;
  static std::string loadError_;
  static std::vector<int64_t> prompt_;
  static Tensor expectedLogits_; ///< [L, V]
  static std::vector<int64_t> expectedTokens_;
};

ModelConfig GoldenModelTest::config_;
Weights GoldenModelTest::weights_;
bool GoldenModelTest::loaded_ = false;
std::string GoldenModelTest::loadError_;
std::vector<int64_t> GoldenModelTest::prompt_;
Tensor GoldenModelTest::expectedLogits_;
std::vector<int64_t> GoldenModelTest::expectedTokens_;

TEST_F(GoldenModelTest, ConfigAndWeightsMatch) {
  EXPECT_EQ(config_.hidden, 64);
  EXPECT_EQ(config_.layers, 2);
  EXPECT_EQ(config_.innerSize(), 128);
  EXPECT_EQ(config_.timeStepRank(), 4);
  EXPECT_FALSE(config_.tieEmbeddings);
  // Embeddings, lm_head, norm_f, and ten tensors per layer.
  EXPECT_EQ(weights_.size(), 3u + 10u * config_.layers);
  EXPECT_NO_THROW(validateWeights(config_, weights_));
}

TEST_F(GoldenModelTest, ForwardReproducesLogits) {
  Tensor logits = forward(config_, weights_, {prompt_});
  int64_t L = static_cast<int64_t>(prompt_.size());
  ASSERT_EQ(logits.shape(), (Shape{1, L, config_.vocab}));
  Tensor flat = logits.reshaped(expectedLogits_.shape());
  double err = relativeL2Error(flat, expectedLogits_);
  RecordProperty("logits_relative_l2_error", std::to_string(err));
  std::cout << "[          ] golden logits relative L2 error: " << err << "\n";
  EXPECT_LE(err, 1e-10);
  EXPECT_TRUE(allClose(flat, expectedLogits_, 1e-9, 1e-12));
}

TEST_F(GoldenModelTest, GreedyByFullRecomputeMatches) {
  std::vector<int64_t> sequence = prompt_;
  std::vector<int64_t> generated;
  for (size_t i = 0; i < expectedTokens_.size(); ++i) {
    Tensor logits = forward(config_, weights_, {sequence});
    int64_t next = argmaxLastDim(logitsAt(logits, logits.dim(1) - 1))[0];
    generated.push_back(next);
    sequence.push_back(next);
  }
  EXPECT_EQ(generated, expectedTokens_);
}

TEST_F(GoldenModelTest, GreedyByDecodeStepsMatches) {
  TokenBatch generated =
      greedyGenerate(config_, weights_, {prompt_},
                     static_cast<int64_t>(expectedTokens_.size()));
  ASSERT_EQ(generated.size(), 1u);
  EXPECT_EQ(generated[0], expectedTokens_);
}

// The decode path is a different evaluation order of the same math, so each
// step's logits must equal the last position of a full recompute.
TEST_F(GoldenModelTest, DecodeStepLogitsEqualFullRecompute) {
  PrefillResult pre = prefill(config_, weights_, {prompt_});
  std::vector<int64_t> sequence = prompt_;
  for (int64_t token : expectedTokens_) {
    SCOPED_TRACE("after " + std::to_string(sequence.size()) + " tokens");
    Tensor stepLogits = decodeStep(config_, weights_, pre.state, {token});
    sequence.push_back(token);
    Tensor full = forward(config_, weights_, {sequence});
    Tensor expected = logitsAt(full, full.dim(1) - 1);
    EXPECT_LE(relativeL2Error(stepLogits, expected), 1e-13);
    EXPECT_TRUE(allClose(stepLogits, expected, 1e-11, 1e-13));
  }
}

} // namespace
} // namespace mamba::reference
