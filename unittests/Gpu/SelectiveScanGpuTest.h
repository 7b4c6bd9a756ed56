//===- SelectiveScanGpuTest.h - A scan vs. the reference --------*- C++ -*-===//

#ifndef MAMBA_UNITTESTS_GPU_SELECTIVESCANGPUTEST_H
#define MAMBA_UNITTESTS_GPU_SELECTIVESCANGPUTEST_H

#include "ScanCase.h"

#include <gtest/gtest.h>

namespace mamba::gpu_test {

/// One shape of one compiled scan: random inputs, results poisoned with NaN,
/// run on the GPU, compared with reference::selectiveScan by relative L2
/// error (f32 1e-5, f16 2e-3, bf16 1e-2).
class SelectiveScanGpuTest : public ::testing::Test {
public:
  SelectiveScanGpuTest(ScanCase scanCase, size_t shapeIndex)
      : case_(std::move(scanCase)), shapeIndex_(shapeIndex) {}
  void TestBody() override;

private:
  ScanCase case_;
  size_t shapeIndex_;
};

/// The tolerance for a scan whose activations have this element type.
double scanTolerance(runtime::ElementType element);

} // namespace mamba::gpu_test

#endif // MAMBA_UNITTESTS_GPU_SELECTIVESCANGPUTEST_H
