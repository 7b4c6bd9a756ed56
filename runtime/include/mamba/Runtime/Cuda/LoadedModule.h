//===- LoadedModule.h - A module file's kernels on a device -----*- C++ -*-===//
//
// The images a device can run, loaded, and every launched kernel looked up.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_LOADEDMODULE_H
#define MAMBA_RUNTIME_CUDA_LOADEDMODULE_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/Format.h"

#include <cuda.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mamba::runtime::cuda {

/// The kernels of a module file, loaded onto one device.
class LoadedModule {
public:
  LoadedModule() = default;
  ~LoadedModule() { unload(); }
  LoadedModule(const LoadedModule &) = delete;
  LoadedModule &operator=(const LoadedModule &) = delete;

  /// Loads, for every gpu module some launch uses, the image that
  /// ModuleFile::selectImage picks for the device (a PTX image is JIT
  /// compiled, and its errors come back with the JIT's log), then looks up
  /// every launched kernel and checks that its parameter list has the
  /// length the module file describes.
  bool load(const ModuleFile &file, const Device &device, std::string &error);
  void unload();
  bool isLoaded() const { return file_ != nullptr; }

  const ModuleFile &file() const { return *file_; }
  const Device &device() const { return *device_; }
  /// The kernel a launch runs (looked up by load()); nullptr if unknown.
  CUfunction kernel(const LaunchSpec &launch) const;
  /// "scan_kernel: cubin sm_90a", one line per gpu module, for logs.
  std::string describeImages() const;

private:
  struct Loaded {
    const KernelImage *image = nullptr;
    CUmodule handle = nullptr;
  };
  const ModuleFile *file_ = nullptr;
  const Device *device_ = nullptr;
  std::vector<Loaded> modules_;
  std::map<std::pair<std::string, std::string>, CUfunction> kernels_;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_LOADEDMODULE_H
