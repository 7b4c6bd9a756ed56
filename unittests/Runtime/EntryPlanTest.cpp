//===- EntryPlanTest.cpp - Placing a model entry's buffers ----------------===//

#include "mamba/Runtime/EntryPlan.h"
#include "ModuleFileTestSupport.h"

#include <gtest/gtest.h>

namespace mamba::runtime {
namespace {

BufferSpec temp(std::vector<ShapeExpr> shape) {
  BufferSpec b;
  b.source = BufferSpec::Source::Temp;
  b.shape = std::move(shape);
  return b;
}

StepSpec kernel(std::vector<uint32_t> args, std::vector<uint32_t> results) {
  StepSpec s;
  s.kind = StepSpec::Kind::Kernel;
  s.function = "f";
  s.args = std::move(args);
  s.results = std::move(results);
  return s;
}

/// ids [b, L] i32 and a state [b, 4]; buffer 0 the ids, buffer 1 the state,
/// then four f32 temps [b, L, 64] written in a chain, the last an output,
/// and a view of the first.
EntrySpec chain() {
  EntrySpec e;
  e.name = "prefill";
  e.inputs = {{"ids", ElementType::I32, {-1, -1}, false},
              {"state", ElementType::F32, {-1, 4}, true}};
  BufferSpec ids;
  ids.source = BufferSpec::Source::Input;
  ids.element = ElementType::I32;
  ids.shape = {ShapeExpr::dim(0, 0), ShapeExpr::dim(0, 1)};
  BufferSpec state;
  state.source = BufferSpec::Source::Input;
  state.index = 1;
  state.shape = {ShapeExpr::dim(1, 0), ShapeExpr::constant(4)};
  e.buffers = {ids, state};
  for (int i = 0; i < 4; ++i)
    e.buffers.push_back(temp(
        {ShapeExpr::dim(0, 0), ShapeExpr::dim(0, 1), ShapeExpr::constant(64)}));
  BufferSpec view;
  view.source = BufferSpec::Source::View;
  view.of = 2;
  view.offset = 64;
  view.shape = {ShapeExpr::constant(64)};
  e.buffers.push_back(view);
  e.steps = {kernel({0, 1}, {2}), kernel({2}, {3}), kernel({3, 6}, {4}),
             kernel({4}, {5})};
  e.outputs = {{"out", 5, false}};
  return e;
}

TEST(EntryPlanTest, ActivationsThatDoNotOverlapShareMemory) {
  EntryLayout layout;
  std::string error;
  ASSERT_TRUE(planEntry(chain(), {{2, 3}, {2, 4}}, {}, layout, error)) << error;
  const uint64_t size = 2 * 3 * 64 * 4; // 1536: a multiple of 256
  EXPECT_EQ(layout.shapes[3], (Shape{2, 3, 64}));
  EXPECT_EQ(layout.bytes[3], size);
  EXPECT_EQ(layout.unsharedBytes, 4 * size);
  // Buffer 2 lives through step 2 (its view is read there): 2, 3 and 4
  // overlap, then 5 reuses 2's or 3's memory.
  EXPECT_EQ(layout.arenaBytes, 3 * size);
  EXPECT_NE(layout.arenaOffset[2], layout.arenaOffset[3]);
  EXPECT_NE(layout.arenaOffset[2], layout.arenaOffset[4]);
  EXPECT_NE(layout.arenaOffset[3], layout.arenaOffset[4]);
  EXPECT_NE(layout.arenaOffset[5], layout.arenaOffset[4]);
  for (uint32_t b : {2u, 3u, 4u, 5u})
    EXPECT_EQ(layout.arenaOffset[b] % kArenaAlignment, 0);
  EXPECT_EQ(layout.arenaOffset[0], -1);
  EXPECT_EQ(layout.root[6], 2u);
  EXPECT_EQ(layout.rootOffset[6], 64u * 4);
  EXPECT_EQ(layout.arenaOffset[6], -1);
}

// What --profile sets each step's time against: bytes of every operand and
// result once, and a GEMM's 2 * M * N * K.
TEST(EntryPlanTest, CountsEachStepsTrafficAndOperations) {
  EntrySpec e = chain();
  // A GEMM [2, 3, 64] x [32, 64]^T -> [2, 3, 32] (+ bias [32]) on the end.
  BufferSpec w;
  w.source = BufferSpec::Source::Temp;
  w.shape = {ShapeExpr::constant(32), ShapeExpr::constant(64)};
  BufferSpec bias = w;
  bias.shape = {ShapeExpr::constant(32)};
  BufferSpec y = w;
  y.shape = {ShapeExpr::dim(0, 0), ShapeExpr::dim(0, 1),
             ShapeExpr::constant(32)};
  e.buffers.insert(e.buffers.end(), {w, bias, y});
  StepSpec gemm;
  gemm.kind = StepSpec::Kind::Gemm;
  gemm.x = 5;
  gemm.w = 7;
  gemm.y = 9;
  gemm.hasBias = true;
  gemm.bias = 8;
  e.steps.push_back(kernel({}, {7, 8}));
  e.steps.push_back(gemm);
  EntryLayout layout;
  std::string error;
  ASSERT_TRUE(planEntry(e, {{2, 3}, {2, 4}}, {}, layout, error)) << error;
  // ids (2 * 3 i32) and the state (2 * 4 f32) read, [2, 3, 64] f32 written.
  StepCost first = stepCost(e, layout, 0);
  EXPECT_EQ(first.bytes, 6u * 4 + 8 * 4 + 384 * 4);
  EXPECT_EQ(first.flops, 0u);
  StepCost g = stepCost(e, layout, 5);
  EXPECT_EQ(g.bytes, (384u + 32 * 64 + 32 + 6 * 32) * 4);
  EXPECT_EQ(g.flops, 2u * 6 * 32 * 64);
}

TEST(EntryPlanTest, CallerBoundTempsAreNotPlaced) {
  EntryLayout layout;
  std::string error;
  ASSERT_TRUE(planEntry(chain(), {{1, 2}, {1, 4}}, {5}, layout, error))
      << error;
  EXPECT_EQ(layout.arenaOffset[5], -1);
  EXPECT_EQ(layout.unsharedBytes, 3 * 512u);
}

TEST(EntryPlanTest, ChecksTheInputs) {
  EntryLayout layout;
  std::string error;
  EXPECT_FALSE(planEntry(chain(), {{2, 3}}, {}, layout, error));
  EXPECT_CONTAINS(error, "entry 'prefill' takes 2 inputs, got 1");
  EXPECT_FALSE(planEntry(chain(), {{2, 3, 1}, {2, 4}}, {}, layout, error));
  EXPECT_CONTAINS(error, "input 'ids' has rank 3, expected 2");
  EXPECT_FALSE(planEntry(chain(), {{2, 3}, {2, 5}}, {}, layout, error));
  EXPECT_CONTAINS(error, "input 'state' has shape [2,5], expected [-1,4]");
  EXPECT_FALSE(planEntry(chain(), {{2, 3}, {3, 4}}, {}, layout, error));
  EXPECT_CONTAINS(error, "input 'state' has batch 3, but 'ids' has batch 2");
  // An input that is not a state (prefill's logit rows) has its own size.
  EntrySpec rows = chain();
  rows.inputs[1].state = false;
  EXPECT_TRUE(planEntry(rows, {{2, 3}, {3, 4}}, {}, layout, error)) << error;
  EXPECT_FALSE(planEntry(chain(), {{2, -3}, {2, 4}}, {}, layout, error));
  EXPECT_CONTAINS(error, "input 'ids' has shape [2,-3]");
}

TEST(EntryPlanTest, AViewMustStayInside) {
  EntrySpec e = chain();
  e.buffers[6].offset = 128; // [2, 1, 64] has 128 elements
  EntryLayout layout;
  std::string error;
  EXPECT_TRUE(planEntry(e, {{2, 3}, {2, 4}}, {}, layout, error)) << error;
  EXPECT_FALSE(planEntry(e, {{2, 1}, {2, 4}}, {}, layout, error));
  EXPECT_CONTAINS(error, "buffer 6: a view of [64] at element 128 runs past "
                         "buffer 2 [2,1,64]");
}

TEST(EntryPlanTest, RejectsSizesThatOverflow) {
  EntryLayout layout;
  std::string error;
  EXPECT_FALSE(planEntry(
      chain(), {{int64_t(1) << 40, int64_t(1) << 30}, {int64_t(1) << 40, 4}},
      {}, layout, error));
  EXPECT_CONTAINS(error, "entry 'prefill' buffer");
}

} // namespace
} // namespace mamba::runtime
