//===- CpuMamba2ModelTest.cpp - A whole compiled Mamba-2 model on the CPU -===//
//
// The golden tiny Mamba-2 model (test/data/golden/model-tiny-mamba2: two
// layers, two groups, chunk size 8, computed in float64 independently of
// this project), compiled by mamba-compile --target x86-64,cpu and run by
// the runtime on the CPU backend: prefill logits and greedy tokens against
// the golden ones, decode steps against prefill, and a batch of two
// prompts whose length is no multiple of the chunk against the reference
// library's Mamba2ForCausalLM for 32 greedy tokens.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Format/PythonJson.h"
#include "mamba/Format/SafeTensors.h"
#include "mamba/Reference/Mamba2Model.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Generator.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>

namespace mamba::runtime::cpu {
namespace {

const std::string kModel = "model-tiny-mamba2";
const std::string kDir = std::string(MAMBA_GOLDEN_DIR) + "/" + kModel;

nlohmann::json readJson(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  // The config spells the unbounded time_step_limit as Python's Infinity.
  return nlohmann::json::parse(format::quotePythonFloatWords(text.str()));
}

std::vector<double> toDoubles(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

/// The golden config as the reference library's (its time_step_limit is
/// unbounded, which the reference's default is).
reference::Mamba2Config goldenConfig() {
  nlohmann::json j = readJson(kDir + "/config.json");
  reference::Mamba2Config c;
  c.hidden = j["hidden_size"];
  c.layers = j["num_hidden_layers"];
  c.vocab = j["vocab_size"];
  c.stateSize = j["state_size"];
  c.convKernel = j["conv_kernel"];
  c.expand = j["expand"];
  c.headDim = j["head_dim"];
  c.heads = j["num_heads"];
  c.groups = j["n_groups"];
  c.chunkSize = j["chunk_size"];
  c.eps = j["layer_norm_epsilon"];
  c.useBias = j["use_bias"];
  c.useConvBias = j["use_conv_bias"];
  c.tieEmbeddings = j["tie_word_embeddings"];
  EXPECT_EQ(j["time_step_limit"][0].get<double>(), 0.0);
  EXPECT_EQ(j["time_step_limit"][1].get<std::string>(), "Infinity");
  return c;
}

void checkGolden(const std::string &dtype, double tolerance,
                 bool tokensMustMatch) {
  CpuBackend backend(2);
  Model model;
  MAMBA_LOAD_GOLDEN(kModel, dtype, backend, model);
  std::string error;
  nlohmann::json expected = readJson(kDir + "/expected.json");
  std::vector<int32_t> prompt = expected["prompt"];
  std::vector<double> goldenLogits = expected["logits"]["data"];
  std::vector<int32_t> greedy = expected["greedy_new_tokens"];
  const int64_t L = static_cast<int64_t>(prompt.size());

  Generator gen;
  std::vector<float> all;
  ASSERT_TRUE(prefillEveryPosition(model, 1, L, prompt, gen, all));
  ASSERT_EQ(all.size(), goldenLogits.size());
  double err = gpu_test::relativeL2Error(toDoubles(all), goldenLogits);
  std::printf("  Mamba-2 %s prefill logits on the CPU: rel L2 %.3g (limit "
              "%.0e)\n",
              dtype.c_str(), err, tolerance);
  EXPECT_LE(err, tolerance);

  std::vector<std::vector<int32_t>> tokens;
  ASSERT_TRUE(gen.generate(prompt, static_cast<int64_t>(greedy.size()), {},
                           tokens, error))
      << error;
  ASSERT_EQ(tokens.size(), 1u);
  if (tokensMustMatch) {
    EXPECT_EQ(tokens[0], greedy);
  }

  // The prompt one token at a time through the decode step gives prefill's
  // logits at every position.
  Generator stepwise;
  GeneratorOptions one;
  one.promptLength = 1;
  ASSERT_TRUE(stepwise.prepare(model, one, error)) << error;
  std::vector<float> logits;
  const int64_t V = gen.vocab();
  double worst = 0;
  for (int64_t t = 0; t < L; ++t) {
    ASSERT_TRUE(t == 0 ? stepwise.prefill({prompt[0]}, logits, error)
                       : stepwise.decode({prompt[t]}, logits, error))
        << error;
    std::vector<double> want(all.begin() + t * V, all.begin() + (t + 1) * V);
    worst = std::max(worst, gpu_test::relativeL2Error(toDoubles(logits), want));
  }
  std::printf("  Mamba-2 %s decode vs prefill, worst position: rel L2 %.3g\n",
              dtype.c_str(), worst);
  EXPECT_LE(worst, tolerance);
}

TEST(CpuMamba2ModelTest, GoldenTinyF32) { checkGolden("f32", 1e-5, true); }

TEST(CpuMamba2ModelTest, GoldenTinyBf16) { checkGolden("bf16", 1e-2, false); }

// Two prompts of 19 tokens (two chunks of 8 and a part) against the
// reference library's model: every position's logits, then 32 greedy
// tokens per row.
TEST(CpuMamba2ModelTest, BatchMatchesTheReferenceFor32Tokens) {
  CpuBackend backend(2);
  Model model;
  MAMBA_LOAD_GOLDEN(kModel, "f32", backend, model);
  std::string error;
  reference::Mamba2Config config = goldenConfig();
  reference::Weights weights = readReferenceWeights(kDir);

  const int64_t b = 2, L = 19;
  RandomPrompts prompts = randomPrompts(b, L, config.vocab, 21);
  Generator gen;
  std::vector<float> all;
  ASSERT_TRUE(prefillEveryPosition(model, b, L, prompts.flat, gen, all));
  reference::Tensor want =
      reference::mamba2Prefill(config, weights, prompts.batch).logits;
  const double err = gpu_test::relativeL2Error(
      toDoubles(all),
      std::vector<double>(want.data(), want.data() + want.numel()));
  std::printf("  Mamba-2 batch of 2 x 19: prefill logits rel L2 %.3g (limit "
              "1e-5)\n",
              err);
  EXPECT_LE(err, 1e-5);

  std::vector<std::vector<int32_t>> tokens;
  ASSERT_TRUE(gen.generate(prompts.flat, 32, SamplingOptions{}, tokens, error))
      << error;
  reference::TokenBatch greedy =
      reference::mamba2GreedyGenerate(config, weights, prompts.batch, 32);
  ASSERT_EQ(tokens.size(), static_cast<size_t>(b));
  for (int64_t r = 0; r < b; ++r)
    EXPECT_EQ(std::vector<int64_t>(tokens[r].begin(), tokens[r].end()),
              greedy[r])
        << "row " << r;
}

} // namespace
} // namespace mamba::runtime::cpu
