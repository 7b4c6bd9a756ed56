//===- CpuThreadsTest.cpp - The CPU runtime used from several threads -----===//
//
// What docs/thread-safety.md promises, checked (and run under TSan by
// scripts/sanitize.sh with SANITIZERS=thread): a thread pool's parallelFor
// called from several threads at once gives every call all of its
// iterations; one loaded Model shared by several threads, each with its own
// Generator on the same backend, gives each thread exactly the logits and
// tokens it gets alone; models on backends of their own run side by side.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Runtime/Cpu/ThreadPool.h"
#include "mamba/Runtime/Generator.h"
#include "mamba/Runtime/Model.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mamba::runtime::cpu {
namespace {

TEST(CpuThreadsTest, ParallelForCallsFromSeveralThreadsEachRunWhole) {
  ThreadPool pool(3);
  const int callers = 4, calls = 200, count = 37;
  std::vector<std::vector<int>> seen(callers, std::vector<int>(count, 0));
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c)
    threads.emplace_back([&, c] {
      for (int k = 0; k < calls; ++k)
        pool.parallelFor(count, [&](int64_t i) { ++seen[c][i]; });
    });
  for (std::thread &t : threads)
    t.join();
  for (int c = 0; c < callers; ++c)
    for (int i = 0; i < count; ++i)
      EXPECT_EQ(seen[c][i], calls) << "caller " << c << ", index " << i;
}

/// What one request gives: prefill's last logits and greedy tokens.
struct Answer {
  std::vector<float> logits;
  std::vector<int32_t> tokens;
};

Answer ask(const Model &model, const std::vector<int32_t> &prompt) {
  Answer a;
  std::string error;
  Generator gen;
  GeneratorOptions options;
  options.promptLength = static_cast<int64_t>(prompt.size());
  EXPECT_TRUE(gen.prepare(model, options, error)) << error;
  EXPECT_TRUE(gen.prefill(prompt, a.logits, error)) << error;
  std::vector<std::vector<int32_t>> tokens;
  EXPECT_TRUE(gen.generate(prompt, 12, {}, tokens, error)) << error;
  if (tokens.size() == 1)
    a.tokens = tokens[0];
  return a;
}

std::vector<int32_t> promptOf(int k) {
  std::vector<int32_t> prompt;
  for (int i = 0; i < 9 + k; ++i)
    prompt.push_back((37 * k + 11 * i + 5) % 256);
  return prompt;
}

TEST(CpuThreadsTest, OneModelServesSeveralThreads) {
  CpuBackend backend(2);
  Model model;
  MAMBA_LOAD_TINY("f32", backend, model);
  const int requests = 4;
  std::vector<Answer> alone(requests), together(requests);
  for (int k = 0; k < requests; ++k)
    alone[k] = ask(model, promptOf(k));
  std::vector<std::thread> threads;
  for (int k = 0; k < requests; ++k)
    threads.emplace_back([&, k] { together[k] = ask(model, promptOf(k)); });
  for (std::thread &t : threads)
    t.join();
  for (int k = 0; k < requests; ++k) {
    SCOPED_TRACE("request " + std::to_string(k));
    EXPECT_EQ(together[k].logits, alone[k].logits);
    EXPECT_EQ(together[k].tokens, alone[k].tokens);
    EXPECT_EQ(together[k].tokens.size(), 12u);
  }
}

TEST(CpuThreadsTest, ModelsOnTheirOwnBackendsRunSideBySide) {
  const std::string f32 = compiledGolden("model-tiny", "f32"),
                    bf16 = compiledGolden("model-tiny", "bf16");
  if (f32.empty() || bf16.empty())
    GTEST_SKIP() << "no compiled tiny model (CPU models need the compiler)";
  struct Loaded {
    std::unique_ptr<CpuBackend> backend;
    Model model;
    Answer alone, together;
  };
  std::vector<Loaded> loaded(2);
  for (int k = 0; k < 2; ++k) {
    std::string error;
    loaded[k].backend = std::make_unique<CpuBackend>(2);
    ASSERT_TRUE(loaded[k].model.load(k ? bf16 : f32, kGolden,
                                     *loaded[k].backend, error))
        << error;
    loaded[k].alone = ask(loaded[k].model, promptOf(k));
  }
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k)
    threads.emplace_back(
        [&, k] { loaded[k].together = ask(loaded[k].model, promptOf(k)); });
  for (std::thread &t : threads)
    t.join();
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(loaded[k].together.logits, loaded[k].alone.logits) << k;
    EXPECT_EQ(loaded[k].together.tokens, loaded[k].alone.tokens) << k;
  }
}

} // namespace
} // namespace mamba::runtime::cpu
