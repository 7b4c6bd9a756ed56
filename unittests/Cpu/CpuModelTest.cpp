//===- CpuModelTest.cpp - A whole compiled model on the CPU ---------------===//
//
// The golden tiny model (test/data/golden/model-tiny, computed in float64 by
// an independent implementation of transformers' Mamba), compiled by
// mamba-compile --target x86-64,cpu and run by the runtime's host core on
// the CPU backend: prefill logits against the golden ones, greedy tokens
// against the golden tokens, and every decode step's logits against
// prefill's at the same position.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "HostTensor.h"
#include "mamba/Format/SafeTensors.h"
#include "mamba/Reference/Model.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Generator.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <fstream>
#include <random>

namespace mamba::runtime::cpu {
namespace {

struct Golden {
  std::vector<int32_t> prompt;
  std::vector<double> logits; ///< [L, V]
  std::vector<int32_t> greedy;
};

Golden readGolden() {
  std::ifstream in(kGolden + "/expected.json");
  nlohmann::json j = nlohmann::json::parse(in);
  return {j["prompt"].get<std::vector<int32_t>>(),
          j["logits"]["data"].get<std::vector<double>>(),
          j["greedy_new_tokens"].get<std::vector<int32_t>>()};
}

std::vector<double> toDoubles(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

void checkGolden(const std::string &dtype, double tolerance,
                 bool tokensMustMatch) {
  CpuBackend backend(2);
  Model model;
  MAMBA_LOAD_TINY(dtype, backend, model);
  std::string error;
  Golden golden = readGolden();
  const int64_t L = static_cast<int64_t>(golden.prompt.size());

  Generator gen;
  GeneratorOptions options;
  options.promptLength = L;
  options.allLogits = true;
  ASSERT_TRUE(gen.prepare(model, options, error)) << error;
  EXPECT_TRUE(gen.hasGreedyIds());
  std::vector<float> last, all;
  ASSERT_TRUE(gen.prefill(golden.prompt, last, error)) << error;
  ASSERT_TRUE(gen.prefillLogits(all, error)) << error;
  ASSERT_EQ(all.size(), golden.logits.size());
  double err = gpu_test::relativeL2Error(toDoubles(all), golden.logits);
  std::printf("  %s prefill logits on the CPU: rel L2 %.3g (limit %.0e)\n",
              dtype.c_str(), err, tolerance);
  EXPECT_LE(err, tolerance);

  std::vector<std::vector<int32_t>> tokens;
  ASSERT_TRUE(gen.generate(golden.prompt,
                           static_cast<int64_t>(golden.greedy.size()), {},
                           tokens, error))
      << error;
  ASSERT_EQ(tokens.size(), 1u);
  if (tokensMustMatch) {
    EXPECT_EQ(tokens[0], golden.greedy);
  }

  // Decode steps fed the prompt one token at a time give prefill's logits
  // at every position (a prompt of one token, then steps).
  Generator stepwise;
  GeneratorOptions one;
  one.promptLength = 1;
  ASSERT_TRUE(stepwise.prepare(model, one, error)) << error;
  std::vector<float> logits;
  ASSERT_TRUE(stepwise.prefill({golden.prompt[0]}, logits, error)) << error;
  const int64_t V = gen.vocab();
  double worst = 0;
  for (int64_t t = 0; t < L; ++t) {
    if (t > 0) {
      ASSERT_TRUE(stepwise.decode({golden.prompt[t]}, logits, error)) << error;
    }
    std::vector<double> want(all.begin() + t * V, all.begin() + (t + 1) * V);
    worst = std::max(worst, gpu_test::relativeL2Error(toDoubles(logits), want));
  }
  std::printf("  %s decode vs prefill, worst position: rel L2 %.3g\n",
              dtype.c_str(), worst);
  EXPECT_LE(worst, tolerance);
}

/// Issue 18's long run: 4,096 decode steps against prefill of the same
/// 4,096 tokens (random ids), every position, so that drift in the carried
/// states would show as a growing error towards the end.
void checkLongDecode(const std::string &dtype, double tolerance) {
  CpuBackend backend(2);
  Model model;
  MAMBA_LOAD_TINY(dtype, backend, model);
  std::string error;
  const int64_t L = 4096;
  std::mt19937 rng(4096);
  std::vector<int32_t> ids(L);
  Generator gen;
  GeneratorOptions options;
  options.promptLength = L;
  options.allLogits = true;
  ASSERT_TRUE(gen.prepare(model, options, error)) << error;
  const int64_t V = gen.vocab();
  for (int32_t &id : ids)
    id = static_cast<int32_t>(rng() % V);
  std::vector<float> last, all;
  ASSERT_TRUE(gen.prefill(ids, last, error)) << error;
  ASSERT_TRUE(gen.prefillLogits(all, error)) << error;

  Generator stepwise;
  GeneratorOptions one;
  one.promptLength = 1;
  ASSERT_TRUE(stepwise.prepare(model, one, error)) << error;
  std::vector<float> logits;
  ASSERT_TRUE(stepwise.prefill({ids[0]}, logits, error)) << error;
  double worst = 0, worstLast = 0;
  for (int64_t t = 0; t < L; ++t) {
    if (t > 0) {
      ASSERT_TRUE(stepwise.decode({ids[t]}, logits, error)) << error;
    }
    std::vector<double> want(all.begin() + t * V, all.begin() + (t + 1) * V);
    const double e = gpu_test::relativeL2Error(toDoubles(logits), want);
    worst = std::max(worst, e);
    if (t >= L - 64)
      worstLast = std::max(worstLast, e);
  }
  std::printf("  %s: 4,096 decode steps vs prefill: worst rel L2 %.3g, "
              "worst of the last 64 %.3g (limit %.0e)\n",
              dtype.c_str(), worst, worstLast, tolerance);
  EXPECT_LE(worst, tolerance);
}

TEST(CpuModelTest, GoldenTinyF32) { checkGolden("f32", 1e-5, true); }

TEST(CpuModelTest, LongDecodeMatchesPrefillF32) {
  checkLongDecode("f32", 1e-5);
}

TEST(CpuModelTest, LongDecodeMatchesPrefillBf16) {
  checkLongDecode("bf16", 2e-2);
}

TEST(CpuModelTest, GoldenTinyBf16) { checkGolden("bf16", 2e-2, false); }

// The embedding kernels index their table with the ids as given: ids
// outside the vocabulary are refused before anything runs.
TEST(CpuModelTest, RefusesIdsOutsideTheVocabulary) {
  CpuBackend backend(1);
  Model model;
  MAMBA_LOAD_TINY("f32", backend, model);
  std::string error;
  Generator gen;
  GeneratorOptions options;
  options.promptLength = 3;
  ASSERT_TRUE(gen.prepare(model, options, error)) << error;
  std::vector<float> logits;
  EXPECT_FALSE(gen.prefill({1, 256, 2}, logits, error));
  EXPECT_EQ(error, "token id 256 (at index 1) is not in [0, 256), the "
                   "model's vocabulary");
  EXPECT_FALSE(gen.prefill({-5, 1, 2}, logits, error));
  EXPECT_NE(error.find("token id -5 (at index 0)"), std::string::npos);
  ASSERT_TRUE(gen.prefill({1, 2, 3}, logits, error)) << error;
  EXPECT_FALSE(gen.decode({300}, logits, error));
  EXPECT_NE(error.find("token id 300"), std::string::npos);
}

// Prompts too long: for int32 positions, refused before any allocation;
// for the host's memory, the activation arena's allocation fails and says
// how much it wanted. The second needs an allocator that refuses what it
// cannot back: Linux's default overcommit heuristic does, and so do the
// sanitizers' allocators (the test scripts let them return null); with
// overcommit_memory = 1 (allocate anything) the test skips, saying so.
TEST(CpuModelTest, PromptsTooLongAreErrors) {
  CpuBackend backend(1);
  Model model;
  MAMBA_LOAD_TINY("f32", backend, model);
  std::string error;
  GeneratorOptions options;
  options.promptLength = int64_t(1) << 31;
  EXPECT_FALSE(Generator().prepare(model, options, error));
  EXPECT_EQ(error, "a prompt batch of 1 x 2147483648 tokens has more "
                   "positions than int32 ids");
  options.batch = 3;
  options.promptLength = int64_t(1) << 30;
  EXPECT_FALSE(Generator().prepare(model, options, error));
  EXPECT_NE(error.find("3 x 1073741824 tokens has more positions"),
            std::string::npos)
      << error;

  std::ifstream overcommit("/proc/sys/vm/overcommit_memory");
  int mode = 0;
  if (overcommit >> mode && mode == 1)
    GTEST_SKIP() << "vm.overcommit_memory is 1: the host would hand out a "
                    "multi-terabyte arena without backing it";
  // 2^30 positions: 4 GiB of ids (never touched), an arena of terabytes.
  options.batch = 1;
  Generator gen;
  EXPECT_FALSE(gen.prepare(model, options, error));
  EXPECT_NE(error.find("entry 'prefill': allocating its "), std::string::npos)
      << error;
  EXPECT_NE(error.find(" activation arena: out of host memory for "),
            std::string::npos)
      << error;
  std::printf("  a 2^30-token prompt: %s\n", error.c_str());
}

/// A random model directory's config.json as the reference library's
/// config.
reference::ModelConfig readConfig(const std::string &dir) {
  std::ifstream in(dir + "/config.json");
  nlohmann::json j = nlohmann::json::parse(in);
  reference::ModelConfig c;
  c.hidden = j["hidden_size"];
  c.layers = j["num_hidden_layers"];
  c.vocab = j["vocab_size"];
  c.stateSize = j["state_size"];
  c.convKernel = j["conv_kernel"];
  c.expand = j["expand"];
  c.intermediate = j["intermediate_size"];
  c.dtRank = j["time_step_rank"].is_number()
                 ? j["time_step_rank"].get<int64_t>()
                 : 0; // "auto"
  c.eps = j["layer_norm_epsilon"];
  c.useBias = j["use_bias"];
  c.useConvBias = j["use_conv_bias"];
  c.tieEmbeddings = j["tie_word_embeddings"];
  return c;
}

// Random tiny configurations (seeded random weights; unittests/Cpu's
// CMakeLists makes and compiles them) against the reference library's
// whole model: prefill logits at every position, 32 greedy tokens, and
// decode steps fed the prompt one token at a time against prefill.
TEST(CpuModelTest, RandomConfigurationsMatchTheReference) {
  for (const char *name : {"tiny", "small-odd"}) {
    SCOPED_TRACE(name);
    const std::string dir =
        std::string(MAMBA_CPU_COMPILED_DIR) + "/random-" + name;
    struct stat info;
    if (::stat((dir + "/f32.mmod").c_str(), &info) != 0)
      GTEST_SKIP() << "no " << dir << " (needs the compiler and numpy)";
    reference::ModelConfig config = readConfig(dir);
    reference::Weights weights = readReferenceWeights(dir);
    CpuBackend backend(2);
    Model model;
    std::string error;
    ASSERT_TRUE(model.load(dir + "/f32.mmod", dir, backend, error)) << error;

    const int64_t b = 2, L = 19;
    RandomPrompts prompts = randomPrompts(b, L, config.vocab, 5);
    const std::vector<int32_t> &prompt = prompts.flat;
    const reference::TokenBatch &batch = prompts.batch;
    Generator gen;
    std::vector<float> all;
    ASSERT_TRUE(prefillEveryPosition(model, b, L, prompt, gen, all));
    reference::Tensor want = reference::forward(config, weights, batch);
    const double err = gpu_test::relativeL2Error(
        toDoubles(all),
        std::vector<double>(want.data(), want.data() + want.numel()));
    std::printf("  %s: prefill logits rel L2 %.3g (limit 1e-5)\n", name, err);
    EXPECT_LE(err, 1e-5);

    std::vector<std::vector<int32_t>> tokens;
    ASSERT_TRUE(gen.generate(prompt, 32, SamplingOptions{}, tokens, error))
        << error;
    reference::TokenBatch greedy =
        reference::greedyGenerate(config, weights, batch, 32);
    for (int64_t r = 0; r < b; ++r)
      EXPECT_EQ(std::vector<int64_t>(tokens[r].begin(), tokens[r].end()),
                greedy[r])
          << "row " << r;

    // The prompt one token at a time through the decode step.
    Generator stepwise;
    GeneratorOptions one;
    one.batch = b;
    ASSERT_TRUE(stepwise.prepare(model, one, error)) << error;
    std::vector<float> logits;
    const int64_t V = gen.vocab();
    double worst = 0;
    for (int64_t t = 0; t < L; ++t) {
      std::vector<int32_t> ids = {prompt[t], prompt[L + t]};
      ASSERT_TRUE(t == 0 ? stepwise.prefill(ids, logits, error)
                         : stepwise.decode(ids, logits, error))
          << error;
      std::vector<double> got, ref;
      for (int64_t r = 0; r < b; ++r)
        for (int64_t v = 0; v < V; ++v) {
          got.push_back(logits[r * V + v]);
          ref.push_back(all[(r * L + t) * V + v]);
        }
      worst = std::max(worst, gpu_test::relativeL2Error(got, ref));
    }
    std::printf("  %s: decode vs prefill, worst position: rel L2 %.3g\n", name,
                worst);
    EXPECT_LE(worst, 1e-5);
  }
}

} // namespace
} // namespace mamba::runtime::cpu
