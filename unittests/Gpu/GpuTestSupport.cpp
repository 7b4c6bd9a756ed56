//===- GpuTestSupport.cpp - The GPU the tests share, and its modules ------===//

#include "GpuTestSupport.h"

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

void GpuEnvironment::TearDown() {
  // Modules before the device: unloading needs its context.
  moduleCache().clear();
  gpuState().device.close();
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

} // namespace mamba::gpu_test
