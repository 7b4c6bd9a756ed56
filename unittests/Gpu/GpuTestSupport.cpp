//===- GpuTestSupport.cpp - The GPU the tests share, and its modules ------===//

#include "GpuTestSupport.h"

#include "HostTensor.h"

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

namespace mamba::gpu_test {

namespace {

std::map<std::string, std::unique_ptr<LoadedModuleFile>> &moduleCache() {
  static std::map<std::string, std::unique_ptr<LoadedModuleFile>> cache;
  return cache;
}

} // namespace

GpuState &gpuState() {
  static GpuState state;
  return state;
}

void GpuEnvironment::SetUp() {
  GpuState &state = gpuState();
  state.checked = true;
  int ordinal = 0;
  if (const char *env = std::getenv("MAMBA_GPU_DEVICE"))
    ordinal = std::atoi(env);
  int count = 0;
  std::string error;
  if (!runtime::cuda::countDevices(count, error)) {
    state.unavailableReason = error;
  } else if (count == 0) {
    state.unavailableReason = "the CUDA driver reports no device";
  } else if (!state.device.open(ordinal, error)) {
    state.unavailableReason = error;
  } else {
    state.available = true;
  }
  if (state.available)
    std::cout << "GPU " << ordinal << ": " << state.device.describe() << "\n";
  else
    std::cout << "No GPU, every GPU test skips: " << state.unavailableReason
              << "\n";
}

std::vector<std::function<void()>> &tearDownHooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
}

void atGpuTearDown(std::function<void()> release) {
  tearDownHooks().push_back(std::move(release));
}

void GpuEnvironment::TearDown() {
  for (auto it = tearDownHooks().rbegin(); it != tearDownHooks().rend(); ++it)
    (*it)();
  tearDownHooks().clear();
  // Modules before the device: unloading needs its context.
  moduleCache().clear();
  gpuState().blas.close();
  gpuState().device.close();
}

runtime::cuda::Blas *testBlas(std::string &error) {
  GpuState &state = gpuState();
  if (!state.blas.isOpen() && !state.blas.open(state.device, error))
    return nullptr;
  return &state.blas;
}

const LoadedModuleFile *loadModuleFile(const std::string &path,
                                       std::string &error) {
  auto &cache = moduleCache();
  auto it = cache.find(path);
  if (it != cache.end())
    return it->second.get();
  auto loaded = std::make_unique<LoadedModuleFile>();
  if (!loaded->file.load(path, error) ||
      !loaded->module.load(loaded->file, gpuState().device, error))
    return nullptr;
  return cache.emplace(path, std::move(loaded)).first->second.get();
}

double elementTolerance(runtime::ElementType element) {
  switch (element) {
  case runtime::ElementType::F32:
    return 1e-5;
  case runtime::ElementType::F16:
    return 2e-3;
  default:
    return 1e-2;
  }
}

uint64_t caseSeed(const std::string &name, size_t shapeIndex) {
  uint64_t h = 1469598103934665603ull;
  for (char c : name + "#" + std::to_string(shapeIndex)) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

bool poison(runtime::cuda::DeviceTensor &t, std::string &error) {
  switch (t.element) {
  case runtime::ElementType::F32:
    return t.buffer.fill32(0x7fc00000u, error);
  case runtime::ElementType::F16:
    return t.buffer.fill16(0x7e00u, error);
  case runtime::ElementType::BF16:
    return t.buffer.fill16(0x7fc0u, error);
  case runtime::ElementType::I32:
    return t.buffer.fill32(0xffffffffu, error); // -1: no index or token
  default:
    error = "cannot poison a tensor of this element type";
    return false;
  }
}

double compareToReference(const std::string &what,
                          const std::vector<double> &actual,
                          const std::vector<double> &expected,
                          runtime::ElementType element) {
  double tolerance = elementTolerance(element);
  size_t unwritten = 0;
  for (double v : actual)
    unwritten += std::isnan(v);
  EXPECT_EQ(unwritten, 0u)
      << unwritten << " of " << actual.size() << " checked elements of " << what
      << " are NaN: not written by the kernel, or computed as NaN";
  EXPECT_EQ(actual.size(), expected.size()) << what << ": element counts";
  double err = relativeL2Error(actual, expected);
  EXPECT_LE(err, tolerance)
      << what << ": relative L2 error " << err << " over the "
      << runtime::elementTypeName(element) << " limit " << tolerance;
  ::testing::Test::RecordProperty("rel_l2_" + what, std::to_string(err));
  return err;
}

} // namespace mamba::gpu_test
