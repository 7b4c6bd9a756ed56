//===- GpuTestMain.cpp - Registers one GPU test per compiled test kernel --===//
//
// The compiled modules are found at run time (see ScanCase.h), so their tests
// are registered here rather than by TEST macros. Exit status 77 means "all
// skipped, no GPU", which ctest reports as skipped.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"
#include "ScanCase.h"
#include "SelectiveScanGpuTest.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <iostream>
#include <set>

namespace mamba::gpu_test {
namespace {

/// A test whose body is a fixed outcome: a discovery problem to report, or
/// an op the harness cannot check yet.
class FixedOutcomeTest : public ::testing::Test {
public:
  FixedOutcomeTest(bool fail, std::string message)
      : fail_(fail), message_(std::move(message)) {}
  void TestBody() override {
    if (fail_)
      FAIL() << message_;
    GTEST_SKIP() << message_;
  }

private:
  bool fail_;
  std::string message_;
};

/// Every module file must load on the GPU (for the compiler's modules: the
/// cubin is for this chip, or the PTX JITs), sidecar or not.
class ModuleLoadsTest : public ::testing::Test {
public:
  explicit ModuleLoadsTest(std::string path) : path_(std::move(path)) {}
  void TestBody() override {
    MAMBA_REQUIRE_GPU();
    std::string error;
    const LoadedModuleFile *loaded = loadModuleFile(path_, error);
    ASSERT_NE(loaded, nullptr) << error;
    std::cout << "  " << path_ << ":\n    " << loaded->module.describeImages();
  }

private:
  std::string path_;
};

/// A GPU run that finds no compiled module at all is a mistake (kernels not
/// carried, MAMBA_GPU_KERNELS wrong), not a pass.
class KernelFilesFoundTest : public ::testing::Test {
public:
  KernelFilesFoundTest(bool none, std::string directories)
      : none_(none), directories_(std::move(directories)) {}
  void TestBody() override {
    MAMBA_REQUIRE_GPU();
    EXPECT_FALSE(none_) << "no .mmod files in " << directories_
                        << " (set MAMBA_GPU_KERNELS to the directories that "
                           "hold the compiled test kernels)";
  }

private:
  bool none_;
  std::string directories_;
};

/// Test names come from file names; keep them to characters gtest filters
/// handle, and unique.
std::string testName(const std::string &raw, std::set<std::string> &used) {
  std::string name;
  for (char c : raw)
    name +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/')
            ? c
            : '_';
  std::string unique = name;
  for (int i = 2; !used.insert(unique).second; ++i)
    unique = name + "_" + std::to_string(i);
  return unique;
}

std::string stemOf(const std::string &path, const char *extension) {
  size_t slash = path.find_last_of('/');
  std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  return file.substr(0, file.size() - std::strlen(extension));
}

void registerKernelTests(const KernelDiscovery &found) {
  std::set<std::string> used;
  std::string dirs;
  for (const std::string &d : found.directories)
    dirs += (dirs.empty() ? "" : ":") + d;

  bool none = found.moduleFiles.empty() && found.problems.empty();
  ::testing::RegisterTest("KernelFiles", "Found", nullptr, dirs.c_str(),
                          __FILE__, __LINE__, [=]() -> ::testing::Test * {
                            return new KernelFilesFoundTest(none, dirs);
                          });
  used.insert("Found");

  for (const auto &[path, problem] : found.problems) {
    std::string message = problem;
    ::testing::RegisterTest(
        "KernelFiles", testName(stemOf(path, ".case.json"), used).c_str(),
        nullptr, nullptr, __FILE__, __LINE__, [=]() -> ::testing::Test * {
          return new FixedOutcomeTest(true, message);
        });
  }

  for (const std::string &path : found.moduleFiles) {
    ::testing::RegisterTest(
        "ModuleLoads", testName(stemOf(path, ".mmod"), used).c_str(), nullptr,
        path.c_str(), __FILE__, __LINE__,
        [=]() -> ::testing::Test * { return new ModuleLoadsTest(path); });
  }

  for (const ScanCase &c : found.cases) {
    if (c.op != "selective_scan") {
      std::string message = "no GPU check for op '" + c.op + "' yet";
      ::testing::RegisterTest("UncheckedOps", testName(c.name, used).c_str(),
                              nullptr, c.modulePath.c_str(), __FILE__, __LINE__,
                              [=]() -> ::testing::Test * {
                                return new FixedOutcomeTest(false, message);
                              });
      continue;
    }
    for (size_t i = 0; i < c.shapes.size(); ++i) {
      std::string name = testName(c.name + "/" + c.shapes[i].name(), used);
      ::testing::RegisterTest("SelectiveScan", name.c_str(), nullptr,
                              c.modulePath.c_str(), __FILE__, __LINE__,
                              [=]() -> ::testing::Test * {
                                return new SelectiveScanGpuTest(c, i);
                              });
    }
  }
}

} // namespace
} // namespace mamba::gpu_test

int main(int argc, char **argv) {
  using namespace mamba::gpu_test;
  ::testing::InitGoogleTest(&argc, argv);
  KernelDiscovery found = discoverKernels(kernelDirectories());
  registerKernelTests(found);
  ::testing::AddGlobalTestEnvironment(new GpuEnvironment);
  int status = RUN_ALL_TESTS();
  if (status == 0 && gpuState().checked && !gpuState().available)
    return 77;
  return status;
}
