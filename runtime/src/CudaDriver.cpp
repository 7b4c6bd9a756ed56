//===- CudaDriver.cpp - The CUDA driver API, opened at run time -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>

namespace mamba::runtime::cuda {

namespace {

#define MAMBA_CUDA_STRINGIFY_EXPANDED(x) MAMBA_CUDA_STRINGIFY(x)
#define MAMBA_CUDA_STRINGIFY(x) #x

/// The soname the driver package installs; the unversioned libcuda.so is
/// only in development packages (and in the toolkit's link-time stubs, which
/// must never be loaded at run time).
constexpr const char *kDriverLibrary = "libcuda.so.1";

std::string describeFailure(const DriverApi &a, CUresult result,
                            const char *call, const std::string &doing) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (a.cuGetErrorName)
    a.cuGetErrorName(result, &name);
  if (a.cuGetErrorString)
    a.cuGetErrorString(result, &text);
  return std::string(call) + " failed with " +
         (name ? name : "CUresult " + std::to_string(result)) +
         (text ? std::string(" (") + text + ")" : std::string()) + " while " +
         doing;
}

struct LoadedDriver {
  DriverApi api;
  bool ok = false;
  std::string error;
};

LoadedDriver loadDriver() {
  LoadedDriver d;
  // Never closed: the driver stays for the life of the process, as it does
  // for the CUDA runtime.
  void *library = ::dlopen(kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = ::dlerror();
    d.error = std::string("cannot load the CUDA driver (") + kDriverLibrary +
              "): " + (why ? why : "unknown reason") +
              "; is the NVIDIA driver installed?";
    return d;
  }
#define MAMBA_CUDA_LOAD_REQUIRED(fn)                                           \
  d.api.fn = reinterpret_cast<decltype(d.api.fn)>(                             \
      ::dlsym(library, MAMBA_CUDA_STRINGIFY_EXPANDED(fn)));                    \
  if (!d.api.fn) {                                                             \
    d.error = std::string("the CUDA driver (") + kDriverLibrary +              \
              ") has no " MAMBA_CUDA_STRINGIFY_EXPANDED(                       \
                  fn) "; it is older than this runtime needs";                 \
    return d;                                                                  \
  }
#define MAMBA_CUDA_LOAD_OPTIONAL(fn)                                           \
  d.api.fn = reinterpret_cast<decltype(d.api.fn)>(                             \
      ::dlsym(library, MAMBA_CUDA_STRINGIFY_EXPANDED(fn)));
  MAMBA_CUDA_REQUIRED_FUNCTIONS(MAMBA_CUDA_LOAD_REQUIRED)
  MAMBA_CUDA_OPTIONAL_FUNCTIONS(MAMBA_CUDA_LOAD_OPTIONAL)
#undef MAMBA_CUDA_LOAD_REQUIRED
#undef MAMBA_CUDA_LOAD_OPTIONAL

  CUresult result = d.api.cuInit(0);
  if (result != CUDA_SUCCESS) {
    d.error = describeFailure(d.api, result, "cuInit",
                              "initializing the CUDA driver");
    return d;
  }
  result = d.api.cuDriverGetVersion(&d.api.version);
  if (result != CUDA_SUCCESS) {
    d.error = describeFailure(d.api, result, "cuDriverGetVersion",
                              "reading the driver version");
    return d;
  }
  d.ok = true;
  return d;
}

const LoadedDriver &loadedDriver() {
  static const LoadedDriver loaded = loadDriver();
  return loaded;
}

} // namespace

const DriverApi *driver(std::string &error) {
  const LoadedDriver &d = loadedDriver();
  if (!d.ok) {
    error = d.error;
    return nullptr;
  }
  return &d.api;
}

bool check(CUresult result, const char *call, const std::string &doing,
           std::string &error) {
  if (result == CUDA_SUCCESS)
    return true;
  // Only code that got the table from driver() makes calls, so the driver
  // is loaded by now.
  error = describeFailure(loadedDriver().api, result, call, doing);
  return false;
}

ScopedContext::ScopedContext(CUcontext context, std::string &error) {
  const DriverApi *d = driver(error);
  if (!d)
    return;
  if (!context) {
    error = "no CUDA context: the device is not open";
    return;
  }
  pushed_ = check(d->cuCtxPushCurrent(context), "cuCtxPushCurrent",
                  "making the device's context current", error);
}

ScopedContext::~ScopedContext() {
  if (!pushed_)
    return;
  CUcontext previous;
  api().cuCtxPopCurrent(&previous);
}

} // namespace mamba::runtime::cuda
