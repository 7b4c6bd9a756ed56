//===- SamplingTest.cpp - Choosing the next token from logits -------------===//

#include "mamba/Runtime/Sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace mamba::runtime {
namespace {

TEST(SamplingTest, GreedyTakesTheFirstMaximumAndSkipsNaN) {
  Sampler greedy(SamplingOptions{});
  std::vector<float> logits = {1.0f, 3.0f, NAN, 3.0f, -2.0f};
  EXPECT_EQ(greedy.sample(logits.data(), 5), 1);
  std::vector<float> nanFirst = {NAN, -5.0f};
  EXPECT_EQ(greedy.sample(nanFirst.data(), 2), 1);
}

TEST(SamplingTest, TopKAndTopPLimitTheCandidates) {
  std::vector<float> logits = {0.0f, 5.0f, 4.0f, 1.0f, 3.0f};
  SamplingOptions k2{1.0, 2, 1.0, 7};
  Sampler topK(k2);
  std::map<int64_t, int> seen;
  for (int i = 0; i < 2000; ++i)
    ++seen[topK.sample(logits.data(), 5)];
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GT(seen[1], seen[2]); // e^5 vs e^4
  // p(token 1) = e^5 / sum is about 0.64, so p = 0.5 keeps it alone.
  SamplingOptions p{1.0, 0, 0.5, 7};
  Sampler topP(p);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(topP.sample(logits.data(), 5), 1);
}

TEST(SamplingTest, ASeedRepeatsItsTokens) {
  std::vector<float> logits(100);
  for (size_t i = 0; i < logits.size(); ++i)
    logits[i] = std::sin(static_cast<float>(i));
  SamplingOptions options{0.8, 0, 0.95, 42};
  Sampler a(options), b(options);
  std::vector<int64_t> ta, tb;
  for (int i = 0; i < 50; ++i) {
    ta.push_back(a.sample(logits.data(), 100));
    tb.push_back(b.sample(logits.data(), 100));
  }
  EXPECT_EQ(ta, tb);
  options.seed = 43;
  Sampler c(options);
  std::vector<int64_t> tc;
  for (int i = 0; i < 50; ++i)
    tc.push_back(c.sample(logits.data(), 100));
  EXPECT_NE(ta, tc);
}

TEST(SamplingTest, RejectsBadOptions) {
  std::string error;
  EXPECT_FALSE((SamplingOptions{-1.0, 0, 1.0, 0}).validate(error));
  EXPECT_NE(error.find("temperature"), std::string::npos);
  EXPECT_FALSE((SamplingOptions{1.0, -3, 1.0, 0}).validate(error));
  EXPECT_FALSE((SamplingOptions{1.0, 0, 0.0, 0}).validate(error));
  EXPECT_FALSE((SamplingOptions{1.0, 0, 1.5, 0}).validate(error));
  EXPECT_TRUE((SamplingOptions{0.7, 50, 0.9, 1}).validate(error));
}

} // namespace
} // namespace mamba::runtime
