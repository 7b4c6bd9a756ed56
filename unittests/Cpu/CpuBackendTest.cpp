//===- CpuBackendTest.cpp - Host code, threads and memory on the CPU ------===//
//
// The CPU backend behind the device interface: its thread pool runs every
// block once; a module whose "so" image is a hand-written kernel with the
// compiled kernels' calling convention loads through the system's loader
// and computes the right values over many threads; and what cannot run
// (no host code, a broken image, a missing kernel, a block of several
// threads, another backend's queue) is an error that says so.
//
//===----------------------------------------------------------------------===//

#include "ModuleFileTestSupport.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Cpu/HostCode.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace mamba::runtime::cpu {
namespace {

using format::testing::ModuleFixture;

TEST(CpuBackendTest, ThePoolRunsEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8})
    for (int64_t count : {0, 1, 2, 7, 1000}) {
      ThreadPool pool(threads);
      std::vector<std::atomic<int>> seen(count);
      for (int repeat = 0; repeat < 3; ++repeat)
        pool.parallelFor(count, [&](int64_t i) { ++seen[i]; });
      for (int64_t i = 0; i < count; ++i)
        EXPECT_EQ(seen[i].load(), 3)
            << i << " of " << count << ", " << threads << " threads";
    }
}

TEST(CpuBackendTest, ThreadCountComesFromTheEnvironment) {
  int threads = 0;
  std::string error;
  ::setenv("MAMBA_THREADS", "3", 1);
  EXPECT_TRUE(defaultThreadCount(threads, error));
  EXPECT_EQ(threads, 3);
  ::setenv("MAMBA_THREADS", "two", 1);
  EXPECT_FALSE(defaultThreadCount(threads, error));
  EXPECT_CONTAINS(error, "MAMBA_THREADS='two': expected a number of threads");
  ::unsetenv("MAMBA_THREADS");
  EXPECT_TRUE(defaultThreadCount(threads, error));
  EXPECT_GE(threads, 1);
}

TEST(CpuBackendTest, NamesTheHostLevel) {
  unsigned level = hostLevel();
  EXPECT_GE(level, 1u);
  EXPECT_LE(level, 4u);
  format::Chip chip;
  ASSERT_TRUE(format::parseChip(hostLevelName(level), chip));
  EXPECT_EQ(chip.family, format::Chip::Family::X86_64);
  EXPECT_EQ(chip.major, level);
}

std::vector<uint8_t> testKernels() {
  std::ifstream in(MAMBA_CPU_TEST_KERNELS, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/// A module of one function, add_bias: x [R, C] f32 + bias [C] -> y, four
/// rows per block, its host code for x86-64 (every host has it).
ModuleFixture addBiasModule() {
  ModuleFixture f;
  f.data = testKernels();
  f.header = nlohmann::json::parse(R"({
    "format": "mamba-module",
    "version": 2,
    "images": [{"module": "rows", "chip": "x86-64", "kind": "so",
                "offset": 0, "size": 0}],
    "functions": [{
      "name": "add_bias",
      "args": [{"element": "f32", "shape": [-1, -1]},
               {"element": "f32", "shape": [-1]}],
      "results": [{"element": "f32",
                   "shape": [{"dim": [0, 0]}, {"dim": [0, 1]}]}],
      "launches": [{
        "module": "rows",
        "kernel": "add_bias_rows",
        "grid": [{"op": "ceildiv", "args": [{"dim": [0, 0]}, 4]}, 1, 1],
        "block": [1, 1, 1],
        "shared_bytes": 0,
        "params": [
          {"kind": "memref", "source": "arg", "index": 0, "rank": 2},
          {"kind": "memref", "source": "arg", "index": 1, "rank": 1},
          {"kind": "memref", "source": "result", "index": 0, "rank": 2}
        ]
      }]
    }]
  })");
  f.header["images"][0]["size"] = f.data.size();
  return f;
}

bool loadFixture(const ModuleFixture &f, ModuleFile &file, std::string &error) {
  std::vector<uint8_t> bytes = f.bytes();
  return file.loadFromMemory(bytes.data(), bytes.size(), "test.mmod", error);
}

TEST(CpuBackendTest, RunsHostCodeFromTheModule) {
  ASSERT_FALSE(testKernels().empty()) << MAMBA_CPU_TEST_KERNELS;
  ModuleFile file;
  std::string error;
  ASSERT_TRUE(loadFixture(addBiasModule(), file, error)) << error;
  for (int threads : {1, 3}) {
    CpuBackend backend(threads);
    std::unique_ptr<Program> program = backend.load(file, error);
    ASSERT_TRUE(program) << error;
    const int64_t R = 37, C = 5; // 10 blocks, the last of one row
    std::unique_ptr<Buffer> x = backend.allocate(R * C * 4, error),
                            bias = backend.allocate(C * 4, error),
                            y = backend.allocate(R * C * 4, error);
    ASSERT_TRUE(x && bias && y) << error;
    std::vector<float> xs(R * C), bs(C), ys(R * C, -1);
    for (int64_t i = 0; i < R * C; ++i)
      xs[i] = float(i);
    for (int64_t c = 0; c < C; ++c)
      bs[c] = 1000.0f * float(c + 1);
    ASSERT_TRUE(x->copyFromHost(xs.data(), xs.size() * 4, 0, error));
    ASSERT_TRUE(bias->copyFromHost(bs.data(), bs.size() * 4, 0, error));
    ASSERT_TRUE(y->copyFromHost(ys.data(), ys.size() * 4, 0, error));
    std::unique_ptr<Step> step = program->prepareCall(
        "add_bias", {{x->address(), {R, C}}, {bias->address(), {C}}},
        {{y->address(), {R, C}}}, error);
    ASSERT_TRUE(step) << error;
    EXPECT_EQ(step->describe(), "add_bias");
    std::unique_ptr<Queue> queue = backend.createQueue(error);
    ASSERT_TRUE(step->enqueue(*queue, error)) << error;
    ASSERT_TRUE(queue->synchronize(error));
    ASSERT_TRUE(y->copyToHost(ys.data(), ys.size() * 4, 0, error));
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c)
        ASSERT_EQ(ys[r * C + c], xs[r * C + c] + bs[c])
            << "row " << r << ", column " << c << ", " << threads << " threads";
    EXPECT_CONTAINS(program->describe(), "1 kernel modules (so x86-64)");

    // Another backend's queue is refused, not used.
    CpuBackend other(1);
    std::unique_ptr<Queue> foreign = other.createQueue(error);
    EXPECT_FALSE(step->enqueue(*foreign, error));
    EXPECT_CONTAINS(error, "the queue is not this CPU backend's");
  }
}

TEST(CpuBackendTest, SaysWhatCannotRun) {
  CpuBackend backend(2);
  std::string error;
  {
    ModuleFixture f; // cubin and PTX only
    ModuleFile file;
    ASSERT_TRUE(loadFixture(f, file, error)) << error;
    EXPECT_FALSE(backend.load(file, error));
    EXPECT_CONTAINS(error, "kernel module 'scan_kernel' has no host code for "
                           "this " +
                               hostLevelName(hostLevel()) +
                               " CPU (it has: "
                               "cubin sm_90a, ptx sm_80; compile with "
                               "--target cpu)");
  }
  // Code for a level above this CPU's names the features it lacks.
  if (hostLevel() < 4) {
    ModuleFixture f = addBiasModule();
    const std::string level = hostLevelName(hostLevel() + 1);
    f.header["images"][0]["chip"] = level;
    ModuleFile file;
    ASSERT_TRUE(loadFixture(f, file, error)) << error;
    EXPECT_FALSE(backend.load(file, error));
    std::string lacking;
    for (const std::string &feature : missingFeatures(hostLevel() + 1))
      lacking += (lacking.empty() ? "" : ", ") + feature;
    ASSERT_FALSE(lacking.empty());
    EXPECT_CONTAINS(error, "kernel module 'rows' has no host code for this " +
                               hostLevelName(hostLevel()) +
                               " CPU (it has: so " + level + " (needs " +
                               lacking +
                               ", which this CPU lacks); compile "
                               "with --target cpu)");
  } else {
    std::printf("(this CPU is x86-64-v4, the highest level: no module "
                "level can be above it)\n");
  }
  {
    ModuleFixture f = addBiasModule(); // the loader's check fails
    f.data.assign(f.data.size(), 0x5a);
    ModuleFile file;
    ASSERT_TRUE(loadFixture(f, file, error)) << error;
    EXPECT_FALSE(backend.load(file, error));
    EXPECT_CONTAINS(error, "host code of 'rows' does not load: ");
  }
  {
    ModuleFixture f = addBiasModule();
    f.launch()["kernel"] = "add_bias_columns";
    ModuleFile file;
    ASSERT_TRUE(loadFixture(f, file, error)) << error;
    EXPECT_FALSE(backend.load(file, error));
    EXPECT_CONTAINS(error,
                    "host code of 'rows' has no kernel 'add_bias_columns'");
  }
  {
    ModuleFixture f = addBiasModule(); // blocks are one call, one thread
    f.launch()["block"] = nlohmann::json::array({32, 1, 1});
    ModuleFile file;
    ASSERT_TRUE(loadFixture(f, file, error)) << error;
    std::unique_ptr<Program> program = backend.load(file, error);
    ASSERT_TRUE(program) << error;
    std::unique_ptr<Buffer> x = backend.allocate(64, error);
    EXPECT_FALSE(program->prepareCall(
        "add_bias", {{x->address(), {4, 4}}, {x->address(), {4}}},
        {{x->address(), {4, 4}}}, error));
    EXPECT_CONTAINS(error, "block");
    EXPECT_FALSE(program->prepareCall("add", {}, {}, error));
    EXPECT_CONTAINS(error, "no function 'add' (it has: add_bias)");
  }
}

TEST(CpuBackendTest, MemoryAndTiming) {
  CpuBackend backend(2);
  std::string error;
  std::unique_ptr<Buffer> empty = backend.allocate(0, error);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->address(), 0u);
  std::unique_ptr<Buffer> b = backend.allocate(1000, error);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->address() % kArenaAlignment, 0u);
  char text[8] = "abcdefg";
  EXPECT_FALSE(b->copyFromHost(text, 8, 996, error));
  EXPECT_CONTAINS(error, "cannot copy 8 bytes at offset 996 of a buffer of "
                         "1000");
  std::unique_ptr<Event> start = backend.createEvent(error),
                         end = backend.createEvent(error);
  std::unique_ptr<Queue> queue = backend.createQueue(error);
  float ms = -1;
  EXPECT_FALSE(end->elapsedSince(*start, ms, error));
  ASSERT_TRUE(start->record(*queue, error) && end->record(*queue, error));
  ASSERT_TRUE(end->elapsedSince(*start, ms, error)) << error;
  EXPECT_GE(ms, 0);
  EXPECT_FALSE(backend.canReplay());
  uint64_t free = 0, total = 0;
  ASSERT_TRUE(backend.memoryInfo(free, total, error));
  EXPECT_GT(total, 0u);
}

} // namespace
} // namespace mamba::runtime::cpu
