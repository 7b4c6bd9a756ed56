//===- EntryBindingTest.cpp - An entry's operands, resolved ---------------===//
//
// What every backend runs is decided here, without a device: each buffer's
// address from the backend's arena, weights and the caller's tensors, each
// GEMM's problem, each kernel step's variant.
//
//===----------------------------------------------------------------------===//

#include "mamba/Runtime/EntryBinding.h"
#include "ModuleFileTestSupport.h"

#include <gtest/gtest.h>

namespace mamba::runtime {
namespace {

BufferSpec buffer(BufferSpec::Source source, uint32_t index,
                  std::vector<ShapeExpr> shape) {
  BufferSpec b;
  b.source = source;
  b.index = index;
  b.shape = std::move(shape);
  return b;
}

/// x [b, 8] f32 (input 0) -> gemm with w [4, 8] (weight 1), bias [4]
/// (derived 0) -> y [b, 4] temp -> kernel "norm" (variant "norm_small"
/// when b < SMs) -> z [b, 4], the output "z"; a view of w's second row.
EntrySpec entry() {
  EntrySpec e;
  e.name = "prefill";
  e.inputs = {{"x", ElementType::F32, {-1, 8}, false}};
  ShapeExpr b = ShapeExpr::dim(0, 0);
  e.buffers = {
      buffer(BufferSpec::Source::Input, 0, {b, ShapeExpr::constant(8)}),
      buffer(BufferSpec::Source::Weight, 1,
             {ShapeExpr::constant(4), ShapeExpr::constant(8)}),
      buffer(BufferSpec::Source::Derived, 0, {ShapeExpr::constant(4)}),
      buffer(BufferSpec::Source::Temp, 0, {b, ShapeExpr::constant(4)}),
      buffer(BufferSpec::Source::Temp, 0, {b, ShapeExpr::constant(4)})};
  BufferSpec row;
  row.source = BufferSpec::Source::View;
  row.of = 1;
  row.offset = 8;
  row.shape = {ShapeExpr::constant(8)};
  e.buffers.push_back(row);
  StepSpec gemm;
  gemm.kind = StepSpec::Kind::Gemm;
  gemm.x = 0;
  gemm.w = 1;
  gemm.y = 3;
  gemm.hasBias = true;
  gemm.bias = 2;
  StepSpec norm;
  norm.kind = StepSpec::Kind::Kernel;
  norm.function = "norm";
  norm.args = {3, 5};
  norm.results = {4};
  norm.variants = {{"norm_small", b}};
  e.steps = {gemm, norm};
  e.outputs = {{"z", 4, false}};
  return e;
}

struct Bound {
  EntryLayout layout;
  std::vector<BoundStep> steps;
  std::vector<TensorRef> outputs;
  std::string error;

  bool bind(int64_t batch, int64_t sms,
            std::map<std::string, TensorRef> outputsTo = {}) {
    EntrySpec e = entry();
    std::set<uint32_t> external;
    EntryAddresses a;
    a.inputs = {{0x1000, {batch, 8}}};
    a.weights = {0x2000, 0x3000};
    a.derived = {0x4000};
    a.arena = 0x10000;
    a.outputsTo = outputsTo;
    return externalOutputs(e, outputsTo, external, error) &&
           planEntry(e, {{batch, 8}}, external, layout, error) &&
           bindEntry(e, {{batch, 8}}, layout, a, sms, steps, outputs, error);
  }
};

TEST(EntryBindingTest, ResolvesAddressesAndProblems) {
  Bound b;
  ASSERT_TRUE(b.bind(/*batch=*/3, /*sms=*/2)) << b.error;
  ASSERT_EQ(b.steps.size(), 2u);
  const GemmProblem &p = b.steps[0].problem;
  EXPECT_TRUE(b.steps[0].gemm);
  EXPECT_EQ(p.element, ElementType::F32);
  EXPECT_EQ(p.tokens, 3);
  EXPECT_EQ(p.m, 4);
  EXPECT_EQ(p.k, 8);
  EXPECT_EQ(p.x, 0x1000u);
  EXPECT_EQ(p.w, 0x3000u); // weight 1
  EXPECT_EQ(p.bias, 0x4000u);
  EXPECT_EQ(p.y, 0x10000u + b.layout.arenaOffset[3]);
  const BoundStep &k = b.steps[1];
  EXPECT_FALSE(k.gemm);
  // 3 blocks are not below 2 SMs: the step's own function.
  EXPECT_EQ(k.function, "norm");
  ASSERT_EQ(k.args.size(), 2u);
  EXPECT_EQ(k.args[0].address, p.y);
  EXPECT_EQ(k.args[0].shape, (Shape{3, 4}));
  EXPECT_EQ(k.args[1].address, 0x3000u + 8 * 4); // the view: row 1 of w
  EXPECT_EQ(k.results[0].address, 0x10000u + b.layout.arenaOffset[4]);
  ASSERT_EQ(b.outputs.size(), 1u);
  EXPECT_EQ(b.outputs[0].address, k.results[0].address);
}

TEST(EntryBindingTest, PicksTheVariantForSmallBatches) {
  Bound b;
  ASSERT_TRUE(b.bind(/*batch=*/1, /*sms=*/2)) << b.error;
  EXPECT_EQ(b.steps[1].function, "norm_small");
}

TEST(EntryBindingTest, WritesBoundOutputsToTheCallersTensor) {
  Bound b;
  ASSERT_TRUE(b.bind(2, 2, {{"z", TensorRef{0x9000, {2, 4}}}})) << b.error;
  EXPECT_EQ(b.layout.arenaOffset[4], -1);
  EXPECT_EQ(b.steps[1].results[0].address, 0x9000u);
  EXPECT_EQ(b.outputs[0].address, 0x9000u);
}

TEST(EntryBindingTest, RejectsBadBindings) {
  {
    Bound b;
    EXPECT_FALSE(b.bind(2, 2, {{"y", TensorRef{0x9000, {2, 4}}}}));
    EXPECT_CONTAINS(b.error, "entry 'prefill' has no output 'y' to bind");
  }
  {
    Bound b;
    EXPECT_FALSE(b.bind(2, 2, {{"z", TensorRef{0x9000, {3, 4}}}}));
    EXPECT_CONTAINS(b.error, "output 'z' is bound to a tensor of shape [3,4], "
                             "expected [2,4]");
  }
}

TEST(EntryBindingTest, DescribesGemmsAndRejectsMismatches) {
  GemmProblem p;
  std::string error;
  ASSERT_TRUE(describeGemm({2, 64, 100}, {32, 64}, {2, 32, 100}, nullptr, true,
                           true, p, error))
      << error;
  EXPECT_EQ(p.batch, 2);
  EXPECT_EQ(p.tokens, 100);
  ASSERT_TRUE(describeGemm({2, 5, 64}, {32, 64}, {2, 5, 32}, nullptr, false,
                           false, p, error))
      << error;
  EXPECT_EQ(p.batch, 1);
  EXPECT_EQ(p.tokens, 10);
  EXPECT_FALSE(describeGemm({2, 5, 63}, {32, 64}, {2, 5, 32}, nullptr, false,
                            false, p, error));
  EXPECT_CONTAINS(error, "x has 63 features, w 64");
  Shape bias{31};
  EXPECT_FALSE(describeGemm({2, 5, 64}, {32, 64}, {2, 5, 32}, &bias, false,
                            false, p, error));
  EXPECT_CONTAINS(error, "the bias is [31], expected [32]");
}

} // namespace
} // namespace mamba::runtime
