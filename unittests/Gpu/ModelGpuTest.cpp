//===- ModelGpuTest.cpp - Whole compiled models on a GPU ------------------===//
//
// The golden tiny models (test/data/golden/model-tiny and model-tiny-mamba2,
// computed in float64 by independent implementations of transformers' Mamba
// and of mamba_ssm's Mamba-2), compiled by
// mamba-compile in f32 and bf16 and run by the runtime: prefill logits
// against the golden ones, greedy generation against the golden tokens, and
// the decode step (with its CUDA graphs and state ping-pong) against
// prefill on random batched prompts.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"
#include "HostTensor.h"
#include "ScanCase.h"

#include "mamba/Runtime/Cuda/Backend.h"
#include "mamba/Runtime/Generator.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

namespace mamba::gpu_test {
namespace {

namespace cuda = runtime::cuda;
using runtime::GenerationTimes;
using runtime::Generator;
using runtime::GeneratorOptions;
using runtime::Model;

/// The models' backend: the test device behind the device interface. It
/// holds no resources of its own, so it may outlive the device.
cuda::CudaBackend &testBackend() {
  static cuda::CudaBackend backend(gpuState().device);
  return backend;
}

/// The golden models' directories under the kernel directories.
constexpr const char *kMamba1 = "model-tiny";
constexpr const char *kMamba2 = "model-tiny-mamba2";

std::string tinyDir(const std::string &name = kMamba1) {
  for (const std::string &dir : kernelDirectories()) {
    std::string path = dir + "/" + name;
    struct stat info;
    if (::stat((path + "/f32.mmod").c_str(), &info) == 0)
      return path;
  }
  return {};
}

struct Golden {
  std::vector<int32_t> prompt;
  std::vector<double> logits; ///< [L, V]
  std::vector<int32_t> greedy;
};

Golden readGolden(const std::string &dir) {
  std::ifstream in(dir + "/expected.json");
  nlohmann::json j = nlohmann::json::parse(in);
  Golden g;
  g.prompt = j["prompt"].get<std::vector<int32_t>>();
  g.logits = j["logits"]["data"].get<std::vector<double>>();
  g.greedy = j["greedy_new_tokens"].get<std::vector<int32_t>>();
  return g;
}

/// Loaded once per model and compute type: loading uploads the weights.
const Model *tinyModel(const std::string &name, const std::string &dtype,
                       std::string &error) {
  static std::map<std::string, std::unique_ptr<Model>> models;
  if (models.empty())
    atGpuTearDown([] { models.clear(); });
  const std::string key = name + "/" + dtype;
  auto it = models.find(key);
  if (it != models.end())
    return it->second.get();
  std::string dir = tinyDir(name);
  if (dir.empty()) {
    error = name + "/f32.mmod is in none of the kernel directories";
    return nullptr;
  }
  auto model = std::make_unique<Model>();
  if (!model->load(dir + "/" + dtype + ".mmod", dir, testBackend(), error))
    return nullptr;
  return (models[key] = std::move(model)).get();
}

std::vector<double> toDoubles(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

void checkGolden(const std::string &name, const std::string &dtype,
                 double tolerance, bool tokensMustMatch) {
  std::string error;
  const Model *model = tinyModel(name, dtype, error);
  ASSERT_NE(model, nullptr) << error;
  Golden golden = readGolden(tinyDir(name));
  Generator gen;
  GeneratorOptions options;
  options.promptLength = static_cast<int64_t>(golden.prompt.size());
  options.allLogits = true;
  ASSERT_TRUE(gen.prepare(*model, options, error)) << error;
  std::printf("  %s\n", gen.describe().c_str());
  // The greedy tokens below come from the decode step's argmax.
  EXPECT_TRUE(gen.hasGreedyIds());

  std::vector<float> last, all;
  ASSERT_TRUE(gen.prefill(golden.prompt, last, error)) << error;
  ASSERT_TRUE(gen.prefillLogits(all, error)) << error;
  ASSERT_EQ(all.size(), golden.logits.size());
  double err = relativeL2Error(toDoubles(all), golden.logits);
  std::printf("  %s prefill logits: rel L2 %.3g (limit %.0e)\n", dtype.c_str(),
              err, tolerance);
  EXPECT_LE(err, tolerance) << dtype << " prefill logits";

  std::vector<std::vector<int32_t>> tokens;
  GenerationTimes times;
  ASSERT_TRUE(gen.generate(golden.prompt,
                           static_cast<int64_t>(golden.greedy.size()), {},
                           tokens, error, &times))
      << error;
  ASSERT_EQ(tokens.size(), 1u);
  size_t same = 0;
  while (same < golden.greedy.size() && tokens[0][same] == golden.greedy[same])
    ++same;
  std::printf("  %s greedy: %zu of %zu tokens as golden; prefill %.3f ms\n",
              dtype.c_str(), same, golden.greedy.size(), times.prefillMs);
  if (tokensMustMatch) {
    EXPECT_EQ(tokens[0], golden.greedy);
  }
}

TEST(ModelGpu, GoldenTinyF32) {
  MAMBA_REQUIRE_GPU();
  checkGolden(kMamba1, "f32", 1e-4, true);
}

TEST(ModelGpu, GoldenTinyBf16) {
  MAMBA_REQUIRE_GPU();
  checkGolden(kMamba1, "bf16", 2e-2, false);
}

// The limits of Mamba-1's golden model on the GPU.
TEST(ModelGpu, GoldenTinyMamba2F32) {
  MAMBA_REQUIRE_GPU();
  checkGolden(kMamba2, "f32", 1e-4, true);
}

TEST(ModelGpu, GoldenTinyMamba2Bf16) {
  MAMBA_REQUIRE_GPU();
  checkGolden(kMamba2, "bf16", 2e-2, false);
}

/// Decoding token by token after a one-token prefill must give the logits
/// that prefill gives at every position, for every row of a batch, with
/// and without CUDA graphs.
void checkDecodeAgainstPrefill(const std::string &name,
                               const std::string &dtype, double tolerance,
                               bool graphs) {
  std::string error;
  const Model *model = tinyModel(name, dtype, error);
  ASSERT_NE(model, nullptr) << error;
  const int64_t b = 3, L = 9;
  std::mt19937_64 rng(caseSeed("decode-vs-prefill-" + name + dtype, graphs));
  std::uniform_int_distribution<int32_t> token(0, 255);
  std::vector<int32_t> ids(b * L);
  for (int32_t &id : ids)
    id = token(rng);

  Generator full, stepwise;
  GeneratorOptions options;
  options.batch = b;
  options.promptLength = L;
  options.replayDecodeStep = graphs;
  options.allLogits = true;
  ASSERT_TRUE(full.prepare(*model, options, error)) << error;
  options.promptLength = 1;
  options.allLogits = false;
  ASSERT_TRUE(stepwise.prepare(*model, options, error)) << error;
  std::vector<float> last, expected;
  ASSERT_TRUE(full.prefill(ids, last, error)) << error;
  ASSERT_TRUE(full.prefillLogits(expected, error)) << error;
  const int64_t V = full.vocab();

  std::vector<int32_t> column(b);
  for (int64_t r = 0; r < b; ++r)
    column[r] = ids[r * L];
  std::vector<float> logits;
  ASSERT_TRUE(stepwise.prefill(column, logits, error)) << error;
  double worst = 0;
  for (int64_t t = 0;; ++t) {
    std::vector<double> want, got;
    for (int64_t r = 0; r < b; ++r)
      for (int64_t v = 0; v < V; ++v) {
        want.push_back(expected[(r * L + t) * V + v]);
        got.push_back(logits[r * V + v]);
      }
    double err = relativeL2Error(got, want);
    worst = std::max(worst, err);
    EXPECT_LE(err, tolerance) << dtype << " position " << t;
    if (t + 1 == L)
      break;
    for (int64_t r = 0; r < b; ++r)
      column[r] = ids[r * L + t + 1];
    ASSERT_TRUE(stepwise.decode(column, logits, error)) << error;
  }
  std::printf("  %s %s decode vs prefill (batch %lld, %lld positions, graphs "
              "%s): worst rel L2 %.3g\n",
              name.c_str(), dtype.c_str(), static_cast<long long>(b),
              static_cast<long long>(L), graphs ? "on" : "off", worst);
}

TEST(ModelGpu, DecodeMatchesPrefillF32) {
  MAMBA_REQUIRE_GPU();
  checkDecodeAgainstPrefill(kMamba1, "f32", 1e-5, true);
  checkDecodeAgainstPrefill(kMamba1, "f32", 1e-5, false);
}

TEST(ModelGpu, DecodeMatchesPrefillMamba2F32) {
  MAMBA_REQUIRE_GPU();
  checkDecodeAgainstPrefill(kMamba2, "f32", 1e-5, true);
  checkDecodeAgainstPrefill(kMamba2, "f32", 1e-5, false);
}

TEST(ModelGpu, DecodeMatchesPrefillMamba2Bf16) {
  MAMBA_REQUIRE_GPU();
  checkDecodeAgainstPrefill(kMamba2, "bf16", 2e-2, true);
}

TEST(ModelGpu, DecodeMatchesPrefillBf16) {
  MAMBA_REQUIRE_GPU();
  checkDecodeAgainstPrefill(kMamba1, "bf16", 2e-2, true);
}

/// Greedy tokens from the decode step's argmax on the GPU are those the
/// host sampler draws from the same step's logits.
void checkGpuGreedy(const std::string &name, const std::string &dtype) {
  std::string error;
  const Model *model = tinyModel(name, dtype, error);
  ASSERT_NE(model, nullptr) << error;
  Generator gen;
  GeneratorOptions options;
  options.batch = 5;
  options.promptLength = 4;
  ASSERT_TRUE(gen.prepare(*model, options, error)) << error;
  ASSERT_TRUE(gen.hasGreedyIds());
  std::mt19937_64 rng(caseSeed("gpu-greedy-" + name + dtype, 0));
  std::uniform_int_distribution<int32_t> token(0, 255);
  std::vector<int32_t> prompt(options.batch * options.promptLength);
  for (int32_t &id : prompt)
    id = token(rng);
  std::vector<std::vector<int32_t>> onGpu, onHost;
  std::vector<std::vector<float>> logits; // asking for them samples on the host
  ASSERT_TRUE(gen.generate(prompt, 24, {}, onGpu, error)) << error;
  ASSERT_TRUE(gen.generate(prompt, 24, {}, onHost, error, nullptr, {}, &logits))
      << error;
  EXPECT_EQ(onGpu, onHost) << dtype;

  // Prefill of the last positions only gives the last positions' logits of
  // a prefill of every position.
  Generator all;
  options.allLogits = true;
  ASSERT_TRUE(all.prepare(*model, options, error)) << error;
  std::vector<float> want, got;
  ASSERT_TRUE(all.prefill(prompt, want, error)) << error;
  ASSERT_TRUE(gen.prefill(prompt, got, error)) << error;
  double err = relativeL2Error(toDoubles(got), toDoubles(want));
  std::printf("  %s last-position prefill vs every position's: rel L2 %.3g\n",
              dtype.c_str(), err);
  EXPECT_LE(err, dtype == "f32" ? 1e-6 : 1e-2) << dtype;
  std::vector<float> every;
  EXPECT_FALSE(gen.prefillLogits(every, error));
  EXPECT_NE(error.find("last positions' logits only"), std::string::npos)
      << error;
}

TEST(ModelGpu, GpuGreedyMatchesHostGreedy) {
  MAMBA_REQUIRE_GPU();
  checkGpuGreedy(kMamba1, "f32");
  checkGpuGreedy(kMamba1, "bf16");
  checkGpuGreedy(kMamba2, "f32");
  checkGpuGreedy(kMamba2, "bf16");
}

TEST(ModelGpu, SeededSamplingRepeats) {
  MAMBA_REQUIRE_GPU();
  std::string error;
  const Model *model = tinyModel(kMamba1, "f32", error);
  ASSERT_NE(model, nullptr) << error;
  Generator gen;
  GeneratorOptions options;
  options.batch = 2;
  options.promptLength = 3;
  ASSERT_TRUE(gen.prepare(*model, options, error)) << error;
  runtime::SamplingOptions sampling{0.9, 40, 0.95, 1234};
  std::vector<std::vector<int32_t>> a, b;
  std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(gen.generate(prompt, 20, sampling, a, error)) << error;
  ASSERT_TRUE(gen.generate(prompt, 20, sampling, b, error)) << error;
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].size(), 20u);
}

/// What docs/thread-safety.md promises for the GPU: models loaded on their
/// own (each with its cuBLASLt handle and workspace) and driven from
/// threads of their own, each thread its own Generator and stream, give
/// what each gives alone. One model's generators must not run from several
/// threads at once on the GPU: they share the model's GEMM workspace.
struct ThreadAnswer {
  std::vector<float> logits;
  std::vector<std::vector<int32_t>> tokens;
};

ThreadAnswer answer(const Model &model, int k, std::string &error) {
  ThreadAnswer a;
  Generator gen;
  GeneratorOptions options;
  options.batch = 2;
  options.promptLength = 5 + k;
  if (!gen.prepare(model, options, error))
    return a;
  std::vector<int32_t> prompt(options.batch * options.promptLength);
  for (size_t i = 0; i < prompt.size(); ++i)
    prompt[i] = static_cast<int32_t>((37 * k + 11 * i + 5) % 256);
  if (gen.prefill(prompt, a.logits, error))
    gen.generate(prompt, 16, {}, a.tokens, error);
  return a;
}

TEST(ModelGpu, ModelsOnTheirOwnThreadsRunSideBySide) {
  MAMBA_REQUIRE_GPU();
  std::string dir = tinyDir();
  ASSERT_FALSE(dir.empty()) << "no model-tiny in the kernel directories";
  const char *dtypes[] = {"f32", "bf16", "f32"};
  const int count = 3, rounds = 4;
  std::vector<Model> models(count);
  std::vector<ThreadAnswer> alone(count);
  for (int k = 0; k < count; ++k) {
    std::string error;
    ASSERT_TRUE(models[k].load(dir + "/" + dtypes[k] + ".mmod", dir,
                               testBackend(), error))
        << error;
    alone[k] = answer(models[k], k, error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(alone[k].tokens.size(), 2u);
  }
  std::vector<std::vector<ThreadAnswer>> together(
      count, std::vector<ThreadAnswer>(rounds));
  std::vector<std::string> errors(count);
  std::vector<std::thread> threads;
  for (int k = 0; k < count; ++k)
    threads.emplace_back([&, k] {
      for (int r = 0; r < rounds && errors[k].empty(); ++r)
        together[k][r] = answer(models[k], k, errors[k]);
    });
  for (std::thread &t : threads)
    t.join();
  for (int k = 0; k < count; ++k) {
    SCOPED_TRACE(std::string("model ") + std::to_string(k) + " (" + dtypes[k] +
                 ")");
    EXPECT_TRUE(errors[k].empty()) << errors[k];
    for (int r = 0; r < rounds; ++r) {
      EXPECT_EQ(together[k][r].tokens, alone[k].tokens) << "round " << r;
      ASSERT_EQ(together[k][r].logits.size(), alone[k].logits.size());
      double err = relativeL2Error(toDoubles(together[k][r].logits),
                                   toDoubles(alone[k].logits));
      EXPECT_LE(err, 1e-6) << "round " << r;
    }
  }
  std::printf("  %d models on %d threads, %d rounds each: as alone\n", count,
              count, rounds);
}

TEST(ModelGpu, BadInputIsAnError) {
  MAMBA_REQUIRE_GPU();
  std::string error;
  const Model *model = tinyModel(kMamba1, "f32", error);
  ASSERT_NE(model, nullptr) << error;
  Generator gen;
  GeneratorOptions options;
  options.promptLength = 4;
  ASSERT_TRUE(gen.prepare(*model, options, error)) << error;
  std::vector<float> logits;
  EXPECT_FALSE(gen.prefill({1, 2, 3}, logits, error));
  EXPECT_NE(error.find("prepared for 1 x 4 token ids, got 3"),
            std::string::npos)
      << error;
  EXPECT_FALSE(gen.decode({1, 2}, logits, error));
  EXPECT_NE(error.find("one token per row (1), got 2"), std::string::npos)
      << error;
  options.promptLength = 0;
  EXPECT_FALSE(Generator().prepare(*model, options, error));
  EXPECT_NE(error.find("at least 1 token"), std::string::npos) << error;
  // Prompts too long for int32 positions, and too long for the GPU's memory.
  options.promptLength = int64_t(1) << 31;
  EXPECT_FALSE(Generator().prepare(*model, options, error));
  EXPECT_NE(error.find("more positions than int32 ids"), std::string::npos)
      << error;
  options.promptLength = int64_t(1) << 30;
  EXPECT_FALSE(Generator().prepare(*model, options, error));
  EXPECT_NE(error.find("out of memory"), std::string::npos) << error;
  std::printf("  a 2^30-token prompt: %s\n", error.c_str());

  // A module of kernels only, and weights from another model.
  Model other;
  std::string dir = tinyDir();
  EXPECT_FALSE(other.load(dir + "/../ops.mmod", dir, testBackend(), error));
  EXPECT_NE(error.find("not a compiled model"), std::string::npos) << error;
  Model wrongWeights;
  EXPECT_FALSE(
      wrongWeights.load(dir + "/f32.mmod", dir + "/..", testBackend(), error));
  EXPECT_NE(error.find("no *.safetensors files"), std::string::npos) << error;
}

} // namespace
} // namespace mamba::gpu_test
