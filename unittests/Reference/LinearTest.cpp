//===- LinearTest.cpp - Projections, embedding and tensor helpers ---------===//

#include "TestSupport.h"

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::throwsInvalidArgument;

TEST(Linear, HandComputedWithBias) {
  Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w({2, 3}, {1, 0, -1, 0.5, 0.5, 0.5});
  Tensor b({2}, {10, 20});
  Tensor expected({2, 2}, {10 + 1 - 3, 20 + 3, 10 + 4 - 6, 20 + 7.5});
  EXPECT_TRUE(allClose(linear(x, w, &b), expected, 0.0));
}

TEST(Linear, KeepsLeadingDimensions) {
  Tensor x({2, 1, 2}, {1, 2, 3, 4});
  Tensor w({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor y = linear(x, w);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 3}));
  EXPECT_TRUE(allClose(y, Tensor({2, 1, 3}, {1, 2, 3, 3, 4, 7}), 0.0));
}

TEST(Linear, RejectsBadArguments) {
  Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w({2, 4}, std::vector<double>(8, 1.0));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { linear(x, w); },
      {"linear", "weight has shape [2,4]", "expected [N, K=3]"}));
  Tensor w3({2, 3}, std::vector<double>(6, 1.0)), b({3}, {1, 2, 3});
  EXPECT_TRUE(throwsInvalidArgument([&] { linear(x, w3, &b); },
                                    {"bias has shape [3]", "expected [N=2]"}));
}

TEST(Embedding, LooksUpRows) {
  Tensor table({3, 2}, {0, 1, 10, 11, 20, 21});
  Tensor e = embedding(table, {2, 0, 1, 2}, {2, 2});
  EXPECT_EQ(e.shape(), (Shape{2, 2, 2}));
  EXPECT_TRUE(
      allClose(e, Tensor({2, 2, 2}, {20, 21, 0, 1, 10, 11, 20, 21}), 0.0));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        embedding(table, {0, 3}, {1, 2});
      },
      {"embedding", "id 3", "[0, 3)"}));
  EXPECT_TRUE(
      throwsInvalidArgument([&] { embedding(table, {-1}, {1}); }, {"id -1"}));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        embedding(table, {0, 1}, {3});
      },
      {"ids has 2 elements"}));
}

TEST(Tensor, ConstructionAndHelpers) {
  EXPECT_THROW(Tensor({2, 2}, {1.0}), std::invalid_argument);
  EXPECT_THROW(Tensor::zeros({2, -1}), std::invalid_argument);
  Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(t.dim(-1), 3);
  EXPECT_THROW(t.at(6), std::out_of_range);
  EXPECT_THROW(t.reshaped({4}), std::invalid_argument);
  EXPECT_TRUE(
      allClose(swapLastTwoDims(t), Tensor({3, 2}, {1, 4, 2, 5, 3, 6}), 0.0));
  EXPECT_TRUE(
      allClose(sliceLastDim(t, 1, 3), Tensor({2, 2}, {2, 3, 5, 6}), 0.0));
  EXPECT_EQ(formatShape({2, 1, 3}), "[2,1,3]");
}

} // namespace
} // namespace mamba::reference
