//===- CompiledModuleTest.cpp - The compiler's modules, read back ---------===//
//
// Where writer and reader meet on every machine: each module that
// mamba-compile made for the tests (unittests/Gpu/compiled: kernels of every
// op, the golden tiny model in f32 and bf16) must load with the runtime's
// reader, come back byte for byte when written again from what was read,
// and fail cleanly, never crash, when cut short or corrupted.
//
//===----------------------------------------------------------------------===//

#include "ModuleFileTestSupport.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace mamba::format {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> compiledModules() {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(MAMBA_TEST_MODULES_DIR, ec), end;
       !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".mmod")
      paths.push_back(it->path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<uint8_t> readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

class CompiledModuleTest : public ::testing::Test {
protected:
  void SetUp() override {
    paths = compiledModules();
    if (paths.empty())
      GTEST_SKIP() << "no compiled modules in " << MAMBA_TEST_MODULES_DIR
                   << " (they need ptxas to build)";
  }
  std::vector<fs::path> paths;
};

TEST_F(CompiledModuleTest, WriterReproducesEveryCompiledModule) {
  bool sawModel = false;
  for (const fs::path &path : paths) {
    SCOPED_TRACE(path.string());
    ModuleFile file;
    std::string error;
    ASSERT_TRUE(file.load(path.string(), error)) << error;
    sawModel |= file.model() != nullptr;

    ModuleWriter writer;
    for (const KernelImage &image : file.images()) {
      const char *bytes =
          reinterpret_cast<const char *>(file.imageBytes(image));
      ASSERT_TRUE(writer.addImage(image.module, image.chipName, image.kind,
                                  std::string_view(bytes, image.size), error))
          << error;
    }
    writer.spec().functions = file.functions();
    writer.spec().model = file.spec().model;
    std::vector<uint8_t> written;
    ASSERT_TRUE(writer.encode(written, error)) << error;
    EXPECT_TRUE(written == readFile(path))
        << "writing what was read changed the file";
  }
  EXPECT_TRUE(sawModel) << "the golden tiny model was not among the modules";
}

TEST_F(CompiledModuleTest, CutOrCorruptedModulesFailCleanly) {
  std::mt19937 rng(7);
  for (const fs::path &path : paths) {
    SCOPED_TRACE(path.string());
    std::vector<uint8_t> bytes = readFile(path);
    ModuleFile file;
    std::string error;
    ASSERT_TRUE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
    uint64_t headerEnd = bytes.size() - file.dataSize();
    // Every cut inside the preamble and the header is an error; so is one
    // inside an image, which the image table then overruns.
    std::vector<size_t> cuts;
    for (size_t n = 0; n < std::min<size_t>(headerEnd, 64); ++n)
      cuts.push_back(n);
    for (int i = 0; i < 64; ++i)
      cuts.push_back(
          std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng));
    for (size_t n : cuts) {
      EXPECT_FALSE(file.loadFromMemory(bytes.data(), n, "m", error)) << n;
      EXPECT_FALSE(error.empty()) << n;
    }
    // A flipped bit anywhere after the length (checksums, header, kernel
    // images): always an error, caught by the checksums.
    for (int i = 0; i < 64; ++i) {
      std::vector<uint8_t> bad = bytes;
      size_t at =
          std::uniform_int_distribution<size_t>(16, bytes.size() - 1)(rng);
      bad[at] ^= static_cast<uint8_t>(1u << (i % 8));
      EXPECT_FALSE(file.loadFromMemory(bad.data(), bad.size(), "m", error))
          << at;
      EXPECT_CONTAINS(error, "checksum mismatch");
    }
  }
}

} // namespace
} // namespace mamba::format
