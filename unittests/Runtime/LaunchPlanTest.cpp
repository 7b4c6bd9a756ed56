//===- LaunchPlanTest.cpp - Shapes, launch dimensions, kernel parameters --===//

#include "mamba/Runtime/LaunchPlan.h"
#include "ModuleFileTestSupport.h"

#include <gtest/gtest.h>

namespace mamba::runtime {
namespace {

using json = nlohmann::json;
using format::testing::ModuleFixture;

/// The fixture's function, loaded; keeps the file alive for the spec.
struct LoadedFixture {
  ModuleFile file;
  const FunctionSpec *fn = nullptr;

  explicit LoadedFixture(const ModuleFixture &f = ModuleFixture()) {
    std::string error = f.loadError(&file);
    EXPECT_EQ(error, "");
    fn = file.findFunction("scan");
  }
};

std::string plan(const FunctionSpec &fn, const std::vector<Shape> &args,
                 FunctionPlan &out, const DeviceLimits &limits = {}) {
  std::string error;
  return planFunction(fn, args, limits, out, error) ? "" : error;
}

TEST(LaunchPlanTest, PlansTheFixture) {
  LoadedFixture f;
  ASSERT_NE(f.fn, nullptr);
  FunctionPlan p;
  ASSERT_EQ(plan(*f.fn, {{2, 64, 100}, {64, 16}}, p), "");
  ASSERT_EQ(p.resultShapes.size(), 1u);
  EXPECT_EQ(p.resultShapes[0], (Shape{2, 64, 100}));
  EXPECT_EQ(p.resultBytes[0], 2u * 64 * 100 * 2);
  ASSERT_EQ(p.launches.size(), 1u);
  const LaunchDims &d = p.launches[0];
  EXPECT_EQ(d.grid[0], 2u); // ceildiv(64, 32)
  EXPECT_EQ(d.grid[1], 2u);
  EXPECT_EQ(d.grid[2], 1u);
  EXPECT_EQ(d.block[0], 128u);
  EXPECT_EQ(d.block[1], 1u);
  EXPECT_EQ(d.sharedBytes, 0u);

  // Empty dynamic dimensions are allowed where the launch does not need them.
  ASSERT_EQ(plan(*f.fn, {{2, 64, 0}, {64, 16}}, p), "");
  EXPECT_EQ(p.resultBytes[0], 0u);
}

TEST(LaunchPlanTest, ChecksArgumentShapes) {
  LoadedFixture f;
  FunctionPlan p;
  EXPECT_CONTAINS(plan(*f.fn, {{2, 64, 100}}, p),
                  "function 'scan' takes 2 arguments, got 1");
  EXPECT_CONTAINS(plan(*f.fn, {{2, 64}, {64, 16}}, p),
                  "argument 0 has shape [2,64], expected [-1,64,-1] (-1 is "
                  "dynamic): the rank differs");
  EXPECT_CONTAINS(plan(*f.fn, {{2, 32, 100}, {64, 16}}, p),
                  "static dimension 1 differs");
  EXPECT_CONTAINS(plan(*f.fn, {{-2, 64, 100}, {64, 16}}, p),
                  "dimension 0 is negative");
}

TEST(LaunchPlanTest, ChecksLaunchDimensionsAgainstTheDevice) {
  LoadedFixture f;
  FunctionPlan p;
  // grid.y is the batch: zero blocks cannot be launched.
  EXPECT_CONTAINS(plan(*f.fn, {{0, 64, 100}, {64, 16}}, p),
                  "launch 0 (scan_kernel) grid.y = dim(0,0) = 0 is outside "
                  "the device's range [1, 65535]");
  EXPECT_CONTAINS(plan(*f.fn, {{70000, 64, 1}, {64, 16}}, p),
                  "grid.y = dim(0,0) = 70000 is outside");
  DeviceLimits small;
  small.maxBlock[0] = 64;
  EXPECT_CONTAINS(plan(*f.fn, {{1, 64, 1}, {64, 16}}, p, small),
                  "block.x = 128 is outside the device's range [1, 64]");
  small = DeviceLimits();
  small.maxThreadsPerBlock = 100;
  EXPECT_CONTAINS(plan(*f.fn, {{1, 64, 1}, {64, 16}}, p, small),
                  "a block of 128x1x1 = 128 threads is more than the "
                  "device's 100");

  ModuleFixture big;
  big.launch()["shared_bytes"] = 60000;
  LoadedFixture g(big);
  EXPECT_CONTAINS(plan(*g.fn, {{1, 64, 1}, {64, 16}}, p),
                  "shared_bytes = 60000 is outside the device's range "
                  "[0, 49152]");
  DeviceLimits hopper;
  hopper.maxSharedBytesPerBlock = 232448;
  ASSERT_EQ(plan(*g.fn, {{1, 64, 1}, {64, 16}}, p, hopper), "");
  EXPECT_EQ(p.launches[0].sharedBytes, 60000u);
}

TEST(LaunchPlanTest, ReportsEvaluationErrors) {
  ModuleFixture f;
  // grid.x = ceildiv(64, L): division by zero when L = 0.
  f.launch()["grid"][0] = json::parse(
      R"({"op": "ceildiv", "args": [{"dim": [0, 1]}, {"dim": [0, 2]}]})");
  // A result dimension that goes negative.
  f.function()["results"][0]["shape"][2] =
      json::parse(R"({"op": "sub", "args": [{"dim": [0, 2]}, 8]})");
  LoadedFixture g(f);
  FunctionPlan p;
  EXPECT_CONTAINS(plan(*g.fn, {{1, 64, 4}, {64, 16}}, p),
                  "function 'scan': result 0 dimension 2: sub(dim(0,2), 8) is "
                  "negative (-4)");
  EXPECT_EQ(plan(*g.fn, {{1, 64, 8}, {64, 16}}, p), "");
  f.function()["results"][0]["shape"][2] = 1;
  LoadedFixture h(f);
  EXPECT_CONTAINS(plan(*h.fn, {{1, 64, 0}, {64, 16}}, p),
                  "launch 0 (scan_kernel) grid.x: division by zero in "
                  "ceildiv(dim(0,1), dim(0,2)) with operands 64 and 0");
}

TEST(LaunchPlanTest, ChecksResultSizes) {
  uint64_t bytes = 0;
  std::string error;
  ASSERT_TRUE(tensorBytes(ElementType::BF16, {2, 3}, bytes, error));
  EXPECT_EQ(bytes, 12u);
  ASSERT_TRUE(tensorBytes(ElementType::F64, {}, bytes, error));
  EXPECT_EQ(bytes, 8u);
  EXPECT_FALSE(
      tensorBytes(ElementType::F32, {int64_t(1) << 62, 8}, bytes, error));
  EXPECT_CONTAINS(error, "shape [4611686018427387904,8] of f32 overflows 64 "
                         "bits in bytes");
  EXPECT_FALSE(tensorBytes(ElementType::F32, {2, -1}, bytes, error));
  EXPECT_CONTAINS(error, "negative dimension");

  ModuleFixture f; // A result of 2^62 x 64 x L bf16 elements cannot exist.
  f.function()["results"][0]["shape"][0] = int64_t(1) << 62;
  LoadedFixture g(f);
  FunctionPlan p;
  EXPECT_CONTAINS(plan(*g.fn, {{1, 64, 1}, {64, 16}}, p),
                  "function 'scan': result 0: shape [4611686018427387904,64,1] "
                  "of bf16 overflows 64 bits in bytes");
}

TEST(LaunchPlanTest, PacksMemrefDescriptors) {
  LoadedFixture f;
  const LaunchSpec &launch = f.fn->launches[0];
  std::vector<TensorRef> args = {{0x1000, {2, 64, 100}}, {0x2000, {64, 16}}};
  std::vector<TensorRef> results = {{0x3000, {2, 64, 100}}};
  std::vector<uint64_t> slots;
  std::string error;
  ASSERT_TRUE(packKernelParams(launch, args, results, slots, error)) << error;
  std::vector<uint64_t> expected = {
      // u: allocated, aligned, offset, sizes, strides
      0x1000, 0x1000, 0, 2, 64, 100, 6400, 100, 1,
      // A
      0x2000, 0x2000, 0, 64, 16, 16, 1,
      // y
      0x3000, 0x3000, 0, 2, 64, 100, 6400, 100, 1};
  EXPECT_EQ(slots, expected);

  // Zero-sized dimensions give zero strides above them, as MLIR computes.
  results[0].shape = {2, 0, 100};
  ASSERT_TRUE(packKernelParams(launch, args, results, slots, error));
  EXPECT_EQ(std::vector<uint64_t>(slots.begin() + 22, slots.end()),
            (std::vector<uint64_t>{0, 100, 1}));

  results[0].shape = {2, 64};
  EXPECT_FALSE(packKernelParams(launch, args, results, slots, error));
  EXPECT_CONTAINS(error, "kernel 'scan_kernel' parameter 2 (result 0): has "
                         "rank 2, the kernel expects 3");
  results.clear();
  EXPECT_FALSE(packKernelParams(launch, args, results, slots, error));
  EXPECT_CONTAINS(error, "parameter 2 (result 0): only 0 given");
  results = {{0x3000, {int64_t(1) << 40, int64_t(1) << 40, 1 << 30}}};
  EXPECT_FALSE(packKernelParams(launch, args, results, slots, error));
  EXPECT_CONTAINS(error, "the element count overflows 64 bits");

  // Kernels may read 16-byte vectors from a buffer's start.
  results = {{0x3000, {2, 64, 100}}};
  args[1].address = 0x2008;
  EXPECT_FALSE(packKernelParams(launch, args, results, slots, error));
  EXPECT_CONTAINS(error, "parameter 1 (argument 1): address 0x2008 is not "
                         "16-byte aligned");
}

} // namespace
} // namespace mamba::runtime

namespace mamba::runtime {
namespace {

/// The fixture with a scratch buffer that the launch receives after its
/// result: a split scan's carried states.
ModuleFixture fixtureWithScratch() {
  ModuleFixture f;
  auto &fn = f.header["functions"][0];
  fn["scratch"] = json::parse(
      R"([{"element": "f32", "shape": [{"dim": [0, 0]}, 3, 64, 16]}])");
  fn["launches"][0]["params"].push_back(json::parse(
      R"({"kind": "memref", "source": "scratch", "index": 0, "rank": 4})"));
  return f;
}

TEST(LaunchPlanTest, PlansAndPacksScratchBuffers) {
  LoadedFixture f(fixtureWithScratch());
  ASSERT_NE(f.fn, nullptr);
  ASSERT_EQ(f.fn->scratch.size(), 1u);
  FunctionPlan p;
  ASSERT_EQ(plan(*f.fn, {{2, 64, 100}, {64, 16}}, p), "");
  ASSERT_EQ(p.scratchShapes.size(), 1u);
  EXPECT_EQ(p.scratchShapes[0], (Shape{2, 3, 64, 16}));
  EXPECT_EQ(p.scratchBytes[0], 2u * 3 * 64 * 16 * 4);

  std::vector<TensorRef> args = {{0x1000, {2, 64, 100}}, {0x2000, {64, 16}}};
  std::vector<TensorRef> results = {{0x3000, {2, 64, 100}}};
  std::vector<TensorRef> scratch = {{0x4000, {2, 3, 64, 16}}};
  std::vector<uint64_t> slots;
  std::string error;
  ASSERT_TRUE(
      packKernelParams(f.fn->launches[0], args, results, slots, error, scratch))
      << error;
  // After the three earlier memrefs (3 + 2*3, 3 + 2*2, 3 + 2*3 slots): the
  // scratch buffer's pointers, offset, sizes and row-major strides.
  const size_t at = 9 + 7 + 9;
  ASSERT_EQ(slots.size(), at + 3 + 2 * 4);
  EXPECT_EQ(slots[at], 0x4000u);
  EXPECT_EQ(slots[at + 3], 2u);
  EXPECT_EQ(slots[at + 7], 3u * 64 * 16);
  // Without the scratch buffer the launch cannot be packed.
  EXPECT_FALSE(
      packKernelParams(f.fn->launches[0], args, results, slots, error));
  EXPECT_CONTAINS(error, "scratch buffer 0");
}

TEST(LaunchPlanTest, RejectsBadScratchReferences) {
  ModuleFixture f = fixtureWithScratch();
  f.header["functions"][0]["launches"][0]["params"][3]["index"] = 1;
  EXPECT_CONTAINS(f.loadError(), "scratch 1 does not exist");
  f = fixtureWithScratch();
  f.header["functions"][0]["launches"][0]["params"][3]["rank"] = 3;
  EXPECT_CONTAINS(f.loadError(), "does not match scratch 0, which has rank 4");
  f = fixtureWithScratch();
  f.header["functions"][0]["scratch"] = 5;
  EXPECT_CONTAINS(f.loadError(), "scratch: expected an array");
  f = fixtureWithScratch();
  f.header["functions"][0]["launches"][0]["params"][3]["source"] = "temp";
  EXPECT_CONTAINS(f.loadError(), "expected arg, result or scratch");
}

TEST(LaunchPlanTest, PlanCallChecksTheBoundTensors) {
  ModuleFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  const FunctionSpec *fn = nullptr;
  FunctionPlan plan;
  std::string error;
  const TensorRef u{0x1000, {2, 64, 8}}, A{0x2000, {64, 16}};
  const TensorRef y{0x3000, {2, 64, 8}};
  EXPECT_TRUE(
      planCall(file, "scan", {u, A}, {y}, DeviceLimits(), fn, plan, error))
      << error;
  EXPECT_EQ(fn->name, "scan");
  EXPECT_EQ(plan.launches[0].grid[0], 2u);

  EXPECT_FALSE(
      planCall(file, "scan2", {u, A}, {y}, DeviceLimits(), fn, plan, error));
  EXPECT_CONTAINS(error, "no function 'scan2' (it has: scan)");
  EXPECT_FALSE(
      planCall(file, "scan", {u, A}, {}, DeviceLimits(), fn, plan, error));
  EXPECT_CONTAINS(error, "function 'scan' has 1 results, got 0 buffers");
  EXPECT_FALSE(planCall(file, "scan", {u, A}, {{0x3000, {2, 64, 9}}},
                        DeviceLimits(), fn, plan, error));
  EXPECT_CONTAINS(error, "result 0 has shape [2,64,9], expected [2,64,8]");
  EXPECT_FALSE(planCall(file, "scan", {{0, {2, 64, 8}}, A}, {y}, DeviceLimits(),
                        fn, plan, error));
  EXPECT_CONTAINS(error, "argument 0 of shape [2,64,8] has no memory");
  // An empty tensor needs no memory.
  EXPECT_TRUE(planCall(file, "scan", {{0, {2, 64, 0}}, A}, {{0, {2, 64, 0}}},
                       DeviceLimits(), fn, plan, error))
      << error;
}

} // namespace
} // namespace mamba::runtime
