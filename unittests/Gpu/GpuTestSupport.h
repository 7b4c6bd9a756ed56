//===- GpuTestSupport.h - The GPU the tests share ---------------*- C++ -*-===//
//
// One device is opened for the whole run by a GoogleTest environment. When
// there is none (no driver, no device: CI, the build machine) every GPU test
// skips and says why, so the binary passes wherever it is run.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_GPU_GPUTESTSUPPORT_H
#define MAMBA_UNITTESTS_GPU_GPUTESTSUPPORT_H

#include "mamba/Format/ModuleWriter.h"
#include "mamba/Runtime/Cuda.h"
#include "mamba/Runtime/Format.h"
#include "mamba/Runtime/Cuda/Gemm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mamba::gpu_test {

struct GpuState {
  /// Whether the environment has run (it does not for --gtest_list_tests).
  bool checked = false;
  bool available = false;
  std::string unavailableReason;
  runtime::cuda::Device device;
  /// Opened by the first test that needs it (blas()); closed before the
  /// device.
  runtime::cuda::Blas blas;
};

GpuState &gpuState();

/// Runs `release` when the tests end, before the device closes: for caches
/// of objects that hold device memory or modules.
void atGpuTearDown(std::function<void()> release);

/// gpuState().blas, opened on first use; nullptr with `error` set when
/// cuBLASLt cannot be opened.
runtime::cuda::Blas *testBlas(std::string &error);

/// Opens GPU MAMBA_GPU_DEVICE (default 0) before the tests and closes it,
/// with every cached module, after.
class GpuEnvironment : public ::testing::Environment {
public:
  void SetUp() override;
  void TearDown() override;
};

/// A module file and its kernels loaded on the test GPU, cached by path so
/// that the cases of one module share one load (and one PTX JIT).
struct LoadedModuleFile {
  runtime::ModuleFile file;
  runtime::cuda::LoadedModule module;
};

/// nullptr with `error` set when the file is invalid or does not load.
const LoadedModuleFile *loadModuleFile(const std::string &path,
                                       std::string &error);

/// The relative L2 error a kernel may have against the double-precision
/// reference: 1e-5 for f32, 2e-3 for f16, 1e-2 for bf16.
double elementTolerance(runtime::ElementType element);

/// A seed from a case name and a shape index (FNV-1a): the same inputs for
/// the same case on every platform and build.
uint64_t caseSeed(const std::string &name, size_t shapeIndex);

/// Fills a whole result buffer with a quiet NaN (-1 for int32 ids), so
/// that an element the kernel never writes cannot pass as a value.
bool poison(runtime::cuda::DeviceTensor &t, std::string &error);

/// Expects every element of `actual` written (no NaN) and its relative L2
/// error against `expected` within `element`'s tolerance; returns the error
/// and records it as a test property.
double compareToReference(const std::string &what,
                          const std::vector<double> &actual,
                          const std::vector<double> &expected,
                          runtime::ElementType element);

} // namespace mamba::gpu_test

/// First statement of every GPU test.
#define MAMBA_REQUIRE_GPU()                                                    \
  do {                                                                         \
    if (!::mamba::gpu_test::gpuState().available)                              \
      GTEST_SKIP() << "no GPU: "                                               \
                   << ::mamba::gpu_test::gpuState().unavailableReason;         \
  } while (0)

#endif // MAMBA_UNITTESTS_GPU_GPUTESTSUPPORT_H
