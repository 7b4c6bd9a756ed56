//===- CudaModule.cpp - A module file's kernels on a device ---------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/LoadedModule.h"

#include <cstring>

namespace mamba::runtime::cuda {

namespace {

/// Enough for any JIT diagnostic worth reading; longer logs are cut.
constexpr size_t kJitLogBytes = 16 * 1024;

std::string listImages(const ModuleFile &file, const std::string &module) {
  std::string list;
  for (const KernelImage &image : file.images())
    if (image.module == module)
      list += (list.empty() ? "" : ", ") +
              std::string(imageKindName(image.kind)) + " " + image.chipName;
  return list.empty() ? "none" : list;
}

/// Number of 8-byte kernel parameters the launch passes.
size_t paramSlots(const LaunchSpec &launch) {
  size_t n = 0;
  for (const KernelParamSpec &p : launch.params)
    n += 3 + 2 * static_cast<size_t>(p.rank);
  return n;
}

/// With a driver that can list a kernel's parameters (12.4 and newer), a
/// kernel compiled for another parameter list than the module file
/// describes is caught here, by name, instead of reading garbage on the GPU.
bool checkParamList(CUfunction kernel, const LaunchSpec &launch,
                    const std::string &where, std::string &error) {
  const DriverApi &d = api();
  if (!d.cuFuncGetParamInfo)
    return true;
  size_t expected = paramSlots(launch);
  for (size_t i = 0; i < expected; ++i) {
    size_t offset = 0, size = 0;
    if (d.cuFuncGetParamInfo(kernel, i, &offset, &size) != CUDA_SUCCESS) {
      error = where + " takes " + std::to_string(i) +
              " parameters, but the module file describes " +
              std::to_string(expected) + " (3 + 2 x rank per memref parameter)";
      return false;
    }
    if (size != 8) {
      error = where + " parameter " + std::to_string(i) + " is " +
              std::to_string(size) +
              " bytes; every memref descriptor field is 8 bytes";
      return false;
    }
  }
  size_t offset = 0, size = 0;
  if (d.cuFuncGetParamInfo(kernel, expected, &offset, &size) == CUDA_SUCCESS) {
    error = where + " takes more than the " + std::to_string(expected) +
            " parameters the module file describes";
    return false;
  }
  return true;
}

} // namespace

bool LoadedModule::load(const ModuleFile &file, const Device &device,
                        std::string &error) {
  unload();
  if (!file.isLoaded()) {
    error = "cannot load an empty module file";
    return false;
  }
  if (!device.isOpen()) {
    error = file.sourceName() + ": cannot load onto a device that is not open";
    return false;
  }
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  auto fail = [&](const std::string &problem) {
    error = file.sourceName() + ": " + problem;
    unload();
    return false;
  };

  for (const std::string &name : file.launchedModules()) {
    const KernelImage *image =
        file.selectImage(name, device.computeMajor(), device.computeMinor());
    if (!image)
      return fail("no image of gpu module '" + name + "' runs on " +
                  device.chipName() +
                  " (the file has: " + listImages(file, name) + ")");
    // An 8-byte aligned copy: the file's layout does not align images, and
    // PTX needs the NUL the file leaves out.
    std::vector<uint64_t> copy(image->size / 8 + 1, 0);
    std::memcpy(copy.data(), file.imageBytes(*image), image->size);

    // The JIT's error log says what is wrong with a PTX image; the
    // CUresult alone only says that something is.
    std::vector<char> errorLog(kJitLogBytes, '\0');
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {errorLog.data(),
                      reinterpret_cast<void *>(uintptr_t(kJitLogBytes - 1))};
    CUmodule handle;
    std::string what = std::string(imageKindName(image->kind)) + " " +
                       image->chipName + " image of gpu module '" + name + "'";
    if (!check(
            api().cuModuleLoadDataEx(&handle, copy.data(), 2, options, values),
            "cuModuleLoadDataEx",
            "loading the " + what + " on " + device.describe(), error)) {
      if (errorLog[0])
        error += "; JIT error log:\n" + std::string(errorLog.data());
      return fail(error);
    }
    modules_.push_back(Loaded{image, handle});
  }

  for (const FunctionSpec &fn : file.functions()) {
    for (size_t l = 0; l < fn.launches.size(); ++l) {
      const LaunchSpec &launch = fn.launches[l];
      auto key = std::make_pair(launch.module, launch.kernel);
      std::string where = "kernel '" + launch.kernel + "' of gpu module '" +
                          launch.module + "' (function '" + fn.name +
                          "', launch " + std::to_string(l) + ")";
      auto it = kernels_.find(key);
      if (it == kernels_.end()) {
        const Loaded *loaded = nullptr;
        for (const Loaded &m : modules_)
          if (m.image->module == launch.module)
            loaded = &m;
        CUfunction kernel;
        if (!check(api().cuModuleGetFunction(&kernel, loaded->handle,
                                             launch.kernel.c_str()),
                   "cuModuleGetFunction", "looking up " + where, error))
          return fail(error);
        it = kernels_.emplace(key, kernel).first;
      }
      if (!checkParamList(it->second, launch, where, error))
        return fail(error);
    }
  }
  file_ = &file;
  device_ = &device;
  return true;
}

void LoadedModule::unload() {
  if (!modules_.empty()) {
    std::string ignored;
    ScopedContext scope(device_ ? device_->context() : nullptr, ignored);
    // load() failures get here before device_ is set; the context pushed by
    // load() is still current then.
    for (const Loaded &m : modules_)
      api().cuModuleUnload(m.handle);
  }
  modules_.clear();
  kernels_.clear();
  file_ = nullptr;
  device_ = nullptr;
}

CUfunction LoadedModule::kernel(const LaunchSpec &launch) const {
  auto it = kernels_.find(std::make_pair(launch.module, launch.kernel));
  return it == kernels_.end() ? nullptr : it->second;
}

std::string LoadedModule::describeImages() const {
  std::string s;
  for (const Loaded &m : modules_)
    s += m.image->module + ": " + imageKindName(m.image->kind) + " " +
         m.image->chipName + "\n";
  return s;
}

} // namespace mamba::runtime::cuda
