//===- ShapeExprTest.cpp - Checked evaluation of shape expressions --------===//

#include "ModuleFileTestSupport.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"
#include "mamba/Format/SafeTensors.h"

#include <gtest/gtest.h>

#include <limits>

namespace mamba::format {
namespace {

using Kind = ShapeExpr::Kind;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

ShapeExpr op(Kind kind, const ShapeExpr &a, const ShapeExpr &b) {
  ShapeExpr out;
  std::string error;
  EXPECT_TRUE(ShapeExpr::binary(kind, a, b, out, error)) << error;
  return out;
}

ShapeExpr c(int64_t v) { return ShapeExpr::constant(v); }

/// Evaluates with no arguments; returns the value or the error.
std::string eval(const ShapeExpr &e, const std::vector<Shape> &args = {}) {
  int64_t v;
  std::string error;
  if (!e.evaluate(args, v, error))
    return "error: " + error;
  return std::to_string(v);
}

TEST(ShapeExprTest, EvaluatesLeaves) {
  EXPECT_EQ(eval(ShapeExpr()), "0");
  EXPECT_EQ(eval(c(-7)), "-7");
  EXPECT_TRUE(c(3).isConstant());
  EXPECT_EQ(c(3).constantValue(), 3);
  ShapeExpr d = ShapeExpr::dim(1, 2);
  EXPECT_FALSE(d.isConstant());
  EXPECT_EQ(eval(d, {{1}, {4, 5, 6}}), "6");
  EXPECT_CONTAINS(eval(d, {{1}, {4, 5}}),
                  "dim(1,2) refers to a dimension the arguments do not have");
  EXPECT_CONTAINS(eval(d, {{1}}), "dim(1,2) refers");
}

TEST(ShapeExprTest, EvaluatesEveryOperation) {
  EXPECT_EQ(eval(op(Kind::Add, c(3), c(4))), "7");
  EXPECT_EQ(eval(op(Kind::Sub, c(3), c(4))), "-1");
  EXPECT_EQ(eval(op(Kind::Mul, c(-3), c(4))), "-12");
  EXPECT_EQ(eval(op(Kind::Div, c(7), c(2))), "3");
  EXPECT_EQ(eval(op(Kind::CeilDiv, c(7), c(2))), "4");
  EXPECT_EQ(eval(op(Kind::CeilDiv, c(8), c(2))), "4");
  EXPECT_EQ(eval(op(Kind::CeilDiv, c(0), c(5))), "0");
  EXPECT_EQ(eval(op(Kind::CeilDiv, c(kMax), c(1))), std::to_string(kMax));
  EXPECT_EQ(eval(op(Kind::CeilDiv, c(kMax), c(2))),
            std::to_string(kMax / 2 + 1));
  EXPECT_EQ(eval(op(Kind::Rem, c(7), c(3))), "1");
  EXPECT_EQ(eval(op(Kind::Min, c(-2), c(5))), "-2");
  EXPECT_EQ(eval(op(Kind::Max, c(-2), c(5))), "5");
}

TEST(ShapeExprTest, ReportsArithmeticErrors) {
  EXPECT_CONTAINS(eval(op(Kind::Div, c(1), c(0))),
                  "division by zero in div(1, 0) with operands 1 and 0");
  EXPECT_CONTAINS(eval(op(Kind::CeilDiv, c(1), c(0))), "division by zero");
  EXPECT_CONTAINS(eval(op(Kind::Rem, c(1), c(0))), "division by zero");
  EXPECT_CONTAINS(eval(op(Kind::Div, c(-4), c(2))),
                  "negative operand of an unsigned operation");
  EXPECT_CONTAINS(eval(op(Kind::CeilDiv, c(4), c(-2))), "negative operand");
  EXPECT_CONTAINS(eval(op(Kind::Rem, c(-4), c(3))), "negative operand");
  EXPECT_CONTAINS(eval(op(Kind::Add, c(kMax), c(1))), "64-bit overflow in add");
  EXPECT_CONTAINS(eval(op(Kind::Sub, c(kMin), c(1))), "64-bit overflow in sub");
  EXPECT_CONTAINS(eval(op(Kind::Mul, c(int64_t(1) << 32), c(int64_t(1) << 31))),
                  "64-bit overflow in mul");
  EXPECT_EQ(eval(op(Kind::Mul, c(int64_t(1) << 31), c(int64_t(1) << 31))),
            std::to_string(int64_t(1) << 62));
}

TEST(ShapeExprTest, NestsAndPrints) {
  // ceildiv(dim(0,1), 64) * dim(0,0) + 1
  ShapeExpr e = op(Kind::Add,
                   op(Kind::Mul, op(Kind::CeilDiv, ShapeExpr::dim(0, 1), c(64)),
                      ShapeExpr::dim(0, 0)),
                   c(1));
  EXPECT_EQ(e.toString(), "add(mul(ceildiv(dim(0,1), 64), dim(0,0)), 1)");
  EXPECT_EQ(e.depth(), 4u);
  EXPECT_EQ(eval(e, {{3, 130}}), "10");
  std::vector<std::pair<uint32_t, uint32_t>> dims;
  e.forEachDim([&](uint32_t a, uint32_t d) { dims.emplace_back(a, d); });
  EXPECT_EQ(dims.size(), 2u);

  // The error names the innermost failing operation.
  ShapeExpr bad =
      op(Kind::Add, c(1), op(Kind::Div, c(1), ShapeExpr::dim(0, 0)));
  EXPECT_CONTAINS(eval(bad, {{0}}),
                  "division by zero in div(1, dim(0,0)) with operands 1 and 0");
}

TEST(ShapeExprTest, LimitsDepth) {
  ShapeExpr e = c(1);
  std::string error;
  for (unsigned i = 1; i < ShapeExpr::kMaxDepth; ++i)
    ASSERT_TRUE(ShapeExpr::binary(Kind::Add, e, c(1), e, error)) << error;
  EXPECT_EQ(e.depth(), ShapeExpr::kMaxDepth);
  EXPECT_EQ(eval(e), std::to_string(ShapeExpr::kMaxDepth));
  ShapeExpr out;
  EXPECT_FALSE(ShapeExpr::binary(Kind::Add, e, c(1), out, error));
  EXPECT_CONTAINS(error, "nested deeper than 64 levels");
  EXPECT_FALSE(ShapeExpr::binary(Kind::Dim, c(1), c(1), out, error));
}

TEST(ShapeExprTest, NamesOperations) {
  for (const char *name :
       {"add", "sub", "mul", "div", "ceildiv", "rem", "min", "max"}) {
    Kind kind;
    ASSERT_TRUE(ShapeExpr::parseOpName(name, kind)) << name;
    EXPECT_STREQ(ShapeExpr::opName(kind), name);
  }
  Kind kind;
  EXPECT_FALSE(ShapeExpr::parseOpName("floordiv", kind));
  EXPECT_FALSE(ShapeExpr::parseOpName("dim", kind));
}

} // namespace
} // namespace mamba::format
