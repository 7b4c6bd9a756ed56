//===- RmsNormTest.cpp - RMS norm with and without the residual add -------===//

#include "TestSupport.h"

#include <cmath>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::randomTensor;
using testing::throwsInvalidArgument;

TEST(RmsNorm, HandComputed) {
  Tensor x({1, 2}, {3.0, 4.0});
  Tensor w({2}, {1.0, 2.0});
  double rms = std::sqrt((9.0 + 16.0) / 2.0 + 0.5);
  auto r = rmsNorm(x, w, nullptr, 0.5);
  EXPECT_TRUE(allClose(r.y, Tensor({1, 2}, {3.0 / rms, 8.0 / rms}), 1e-15));
  EXPECT_TRUE(allClose(r.residualOut, x, 0.0));
}

// The fused add must be exactly "add, then normalize", and hand the sum on.
TEST(RmsNorm, ResidualEqualsNormOfSum) {
  std::mt19937 rng(31);
  Tensor x = randomTensor({2, 3, 8}, rng), res = randomTensor({2, 3, 8}, rng);
  Tensor w = randomTensor({8}, rng);
  Tensor sum = Tensor::zeros(x.shape());
  for (int64_t i = 0; i < sum.numel(); ++i)
    sum[i] = x[i] + res[i];
  auto fused = rmsNorm(x, w, &res, 1e-5);
  auto plain = rmsNorm(sum, w, nullptr, 1e-5);
  EXPECT_TRUE(allClose(fused.y, plain.y, 0.0));
  EXPECT_TRUE(allClose(fused.residualOut, sum, 0.0));
}

// Leading dimensions are independent rows.
TEST(RmsNorm, RowsAreIndependent) {
  std::mt19937 rng(32);
  Tensor x = randomTensor({3, 5}, rng), w = randomTensor({5}, rng);
  Tensor all = rmsNorm(x, w).y;
  for (int64_t row = 0; row < 3; ++row) {
    Tensor one =
        rmsNorm(Tensor({5}, std::vector<double>(x.data() + row * 5,
                                                x.data() + row * 5 + 5)),
                w)
            .y;
    for (int64_t i = 0; i < 5; ++i)
      EXPECT_EQ(one[i], all[row * 5 + i]);
  }
}

TEST(RmsNorm, RejectsBadArguments) {
  std::mt19937 rng(33);
  Tensor x = randomTensor({2, 5}, rng), w = randomTensor({4}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { rmsNorm(x, w); },
      {"rms_norm", "weight has shape [4]", "expected [D=5]"}));
  Tensor w5 = randomTensor({5}, rng), res = randomTensor({5, 2}, rng);
  EXPECT_TRUE(throwsInvalidArgument([&] { rmsNorm(x, w5, &res); },
                                    {"residual has shape [5,2]", "[2,5]"}));
  EXPECT_TRUE(throwsInvalidArgument([&] { rmsNorm(Tensor({}, {1.0}), w5); },
                                    {"x has shape []"}));
}

} // namespace
} // namespace mamba::reference
