//===- CpuKernelTest.cpp - Compiled host kernels, run on the CPU ----------===//
//
// The CPU target end to end: modules that mamba-compile made for the host
// (unittests/Cpu/compiled, --target x86-64,cpu) load through the CPU
// backend, which picks the highest level this machine has, and compute
// what the op means, over several threads.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "ModuleFileTestSupport.h"
#include "mamba/Format/Float16.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Cpu/HostCode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace mamba::runtime::cpu {
namespace {

class CpuKernelTest : public ::testing::Test {
protected:
  void SetUp() override { MAMBA_LOAD_COMPILED("embedding.mmod", file); }
  ModuleFile file;
};

TEST_F(CpuKernelTest, TheModuleHasTheBaselineAndThisMachinesLevel) {
  std::vector<std::string> levels;
  for (const KernelImage &image : file.images()) {
    EXPECT_EQ(image.kind, ImageKind::SharedObject);
    levels.push_back(image.chipName);
  }
  EXPECT_NE(std::find(levels.begin(), levels.end(), "x86-64"), levels.end());
  EXPECT_NE(std::find(levels.begin(), levels.end(), hostLevelName(hostLevel())),
            levels.end());
}

TEST_F(CpuKernelTest, EmbeddingGathersClampedRows) {
  for (int threads : {1, 2}) {
    CpuBackend backend(threads);
    std::string error;
    std::unique_ptr<Program> program = backend.load(file, error);
    ASSERT_TRUE(program) << error;
    std::unique_ptr<Queue> queue = backend.createQueue(error);
    std::mt19937 rng(threads);

    // f32, ids [3, 7] with some outside the table (clamped into it).
    {
      const int64_t V = 50, D = 24, R = 3, T = 7;
      std::vector<int32_t> ids(R * T);
      std::uniform_int_distribution<int32_t> id(0, V - 1);
      for (int32_t &i : ids)
        i = id(rng);
      ids[1] = -5;
      ids[4] = V;
      ids[20] = 1 << 30;
      std::vector<float> table(V * D);
      for (size_t i = 0; i < table.size(); ++i)
        table[i] = float(i) * 0.5f;
      auto idsBuf = backend.allocate(ids.size() * 4, error);
      auto tableBuf = backend.allocate(table.size() * 4, error);
      auto y = backend.allocate(R * T * D * 4, error);
      ASSERT_TRUE(idsBuf && tableBuf && y) << error;
      ASSERT_TRUE(idsBuf->copyFromHost(ids.data(), ids.size() * 4, 0, error));
      ASSERT_TRUE(
          tableBuf->copyFromHost(table.data(), table.size() * 4, 0, error));
      std::unique_ptr<Step> step = program->prepareCall(
          "embed_f32",
          {{idsBuf->address(), {R, T}}, {tableBuf->address(), {V, D}}},
          {{y->address(), {R, T, D}}}, error);
      ASSERT_TRUE(step) << error;
      ASSERT_TRUE(step->enqueue(*queue, error)) << error;
      std::vector<float> got(R * T * D);
      ASSERT_TRUE(y->copyToHost(got.data(), got.size() * 4, 0, error));
      for (int64_t t = 0; t < R * T; ++t) {
        int64_t row = std::clamp<int64_t>(ids[t], 0, V - 1);
        for (int64_t d = 0; d < D; ++d)
          ASSERT_EQ(got[t * D + d], table[row * D + d])
              << "token " << t << " (id " << ids[t] << "), feature " << d;
      }
    }
    // bf16, ids [9], one token past the end of an odd row count.
    {
      const int64_t V = 1000, D = 40, T = 9;
      std::vector<int32_t> ids = {0, 999, 1000, -1, 17, 512, 3, 998, 1};
      std::vector<uint16_t> table(V * D);
      for (size_t i = 0; i < table.size(); ++i)
        table[i] = format::floatToBfloat16Bits(float(i % 977) - 400.0f);
      auto idsBuf = backend.allocate(ids.size() * 4, error);
      auto tableBuf = backend.allocate(table.size() * 2, error);
      auto y = backend.allocate(T * D * 2, error);
      ASSERT_TRUE(idsBuf && tableBuf && y) << error;
      ASSERT_TRUE(idsBuf->copyFromHost(ids.data(), ids.size() * 4, 0, error));
      ASSERT_TRUE(
          tableBuf->copyFromHost(table.data(), table.size() * 2, 0, error));
      std::unique_ptr<Step> step = program->prepareCall(
          "embed_bf16",
          {{idsBuf->address(), {T}}, {tableBuf->address(), {V, D}}},
          {{y->address(), {T, D}}}, error);
      ASSERT_TRUE(step) << error;
      ASSERT_TRUE(step->enqueue(*queue, error)) << error;
      std::vector<uint16_t> got(T * D);
      ASSERT_TRUE(y->copyToHost(got.data(), got.size() * 2, 0, error));
      for (int64_t t = 0; t < T; ++t) {
        int64_t row = std::clamp<int64_t>(ids[t], 0, V - 1);
        for (int64_t d = 0; d < D; ++d)
          ASSERT_EQ(got[t * D + d], table[row * D + d])
              << "token " << t << " (id " << ids[t] << "), feature " << d;
      }
    }
  }
}

} // namespace
} // namespace mamba::runtime::cpu
