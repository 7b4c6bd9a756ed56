//===- CausalConv1dTest.cpp - Hand cases and identities of the conv -------===//

#include "TestSupport.h"

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::randomTensor;
using testing::throwsInvalidArgument;

// y[t] = bias + w0 * x[t-1] + w1 * x[t], with x[-1] = 0.
TEST(CausalConv1d, HandComputedK2) {
  Tensor x({1, 1, 3}, {1.0, 2.0, 3.0});
  Tensor w({1, 2}, {0.5, 2.0});
  Tensor bias({1}, {1.0});
  Tensor expected({1, 1, 3}, {1.0 + 2.0 * 1.0, 1.0 + 0.5 * 1.0 + 2.0 * 2.0,
                              1.0 + 0.5 * 2.0 + 2.0 * 3.0});
  EXPECT_TRUE(allClose(causalConv1d(x, w, &bias), expected, 0.0));

  Tensor activated = Tensor::zeros({1, 1, 3});
  for (int64_t i = 0; i < 3; ++i)
    activated[i] = expected[i] / (1.0 + std::exp(-expected[i]));
  EXPECT_TRUE(
      allClose(causalConv1d(x, w, &bias, Activation::SiLU), activated, 1e-15));
}

// A kernel wider than the sequence sees only zeros before the start.
TEST(CausalConv1d, KernelWiderThanSequence) {
  Tensor x({1, 1, 2}, {3.0, -1.0});
  Tensor w({1, 4}, {10.0, 20.0, 0.5, 2.0});
  Tensor expected({1, 1, 2}, {2.0 * 3.0, 0.5 * 3.0 + 2.0 * -1.0});
  EXPECT_TRUE(allClose(causalConv1d(x, w), expected, 0.0));
}

// Decoding one input at a time from a zero state must reproduce the conv,
// and the final state must hold the last K inputs.
TEST(ConvStateUpdate, StepsFromZeroStateEqualConv) {
  int64_t b = 2, d = 3, K = 4, L = 7;
  std::mt19937 rng(21);
  Tensor x = randomTensor({b, d, L}, rng), w = randomTensor({d, K}, rng);
  Tensor bias = randomTensor({d}, rng);
  Tensor full = causalConv1d(x, w, &bias, Activation::SiLU);

  Tensor state = Tensor::zeros({b, d, K});
  for (int64_t t = 0; t < L; ++t) {
    SCOPED_TRACE("t=" + std::to_string(t));
    Tensor xt = sliceLastDim(x, t, t + 1).reshaped({b, d});
    auto step = convStateUpdate(state, xt, w, &bias, Activation::SiLU);
    Tensor expected = sliceLastDim(full, t, t + 1).reshaped({b, d});
    EXPECT_TRUE(allClose(step.y, expected, 1e-14, 1e-15));
    state = step.newConvState;
  }
  EXPECT_TRUE(allClose(state, sliceLastDim(x, L - K, L), 0.0));
}

TEST(ConvStateUpdate, ShiftsOldestOut) {
  Tensor state({1, 1, 3}, {1.0, 2.0, 3.0});
  Tensor x({1, 1}, {4.0});
  Tensor w({1, 3}, {1.0, 10.0, 100.0});
  auto r = convStateUpdate(state, x, w);
  EXPECT_TRUE(
      allClose(r.newConvState, Tensor({1, 1, 3}, {2.0, 3.0, 4.0}), 0.0));
  EXPECT_TRUE(allClose(r.y, Tensor({1, 1}, {2.0 + 30.0 + 400.0}), 0.0));
}

TEST(CausalConv1d, RejectsBadArguments) {
  std::mt19937 rng(22);
  Tensor x = randomTensor({2, 3, 5}, rng), w = randomTensor({4, 2}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { causalConv1d(x, w); },
      {"causal_conv1d", "weight has shape [4,2]", "expected [d=3, K]"}));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        causalConv1d(x.reshaped({6, 5}), w);
      },
      {"x has shape [6,5]", "expected [b, d, L]"}));
  Tensor state = Tensor::zeros({2, 3, 4});
  Tensor w3 = randomTensor({3, 3}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        convStateUpdate(state, Tensor::zeros({2, 3}), w3);
      },
      {"conv_state_update", "weight has shape [3,3]", "expected [d=3, K=4]"}));
  EXPECT_THROW(parseActivation("relu"), std::invalid_argument);
  EXPECT_EQ(parseActivation("silu"), Activation::SiLU);
  EXPECT_EQ(parseActivation("none"), Activation::None);
}

} // namespace
} // namespace mamba::reference
