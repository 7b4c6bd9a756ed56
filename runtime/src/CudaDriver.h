//===- CudaDriver.h - The CUDA driver API, opened at run time ---*- C++ -*-===//
//
// The runtime calls the driver through this table instead of linking
// libcuda, so that its programs start where no driver is installed (CI, the
// build machine) and report "no GPU" there. The symbol names come from
// cuda.h's own macros (cuMemAlloc is cuMemAlloc_v2), so each pointer has
// exactly the ABI of the header the runtime was compiled against.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDADRIVER_H
#define MAMBA_RUNTIME_CUDADRIVER_H

#include <cuda.h>

#include <string>

namespace mamba::runtime::cuda {

// Every entry point the runtime uses. Arguments are macro-expanded before
// they are pasted, so X(cuMemAlloc) declares and loads cuMemAlloc_v2.
#define MAMBA_CUDA_REQUIRED_FUNCTIONS(X)                                       \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease)                                                 \
  X(cuCtxPushCurrent)                                                          \
  X(cuCtxPopCurrent)                                                           \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemcpyHtoDAsync)                                                         \
  X(cuMemcpyDtoHAsync)                                                         \
  X(cuMemGetInfo)                                                              \
  X(cuMemsetD16)                                                               \
  X(cuMemsetD32)                                                               \
  X(cuMemsetD32Async)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamBeginCapture)                                                      \
  X(cuStreamEndCapture)                                                        \
  X(cuGraphInstantiate)                                                        \
  X(cuGraphLaunch)                                                             \
  X(cuGraphExecDestroy)                                                        \
  X(cuGraphDestroy)                                                            \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)

// Newer than some drivers the runtime should still run on (12.4+); used
// when present.
#define MAMBA_CUDA_OPTIONAL_FUNCTIONS(X) X(cuFuncGetParamInfo)

#define MAMBA_CUDA_DECLARE_POINTER(fn) decltype(&::fn) fn = nullptr;

struct DriverApi {
  MAMBA_CUDA_REQUIRED_FUNCTIONS(MAMBA_CUDA_DECLARE_POINTER)
  MAMBA_CUDA_OPTIONAL_FUNCTIONS(MAMBA_CUDA_DECLARE_POINTER)
  int version = 0; ///< cuDriverGetVersion, e.g. 13000
};

/// The driver, opened and initialized (cuInit) once per process; nullptr,
/// with `error` saying why, when that failed. Later calls repeat the first
/// answer.
const DriverApi *driver(std::string &error);

/// For code that already holds a loaded driver.
inline const DriverApi &api() {
  std::string unused;
  return *driver(unused);
}

/// True on CUDA_SUCCESS. Otherwise sets `error` to "CALL failed with NAME
/// (TEXT) while DOING" and returns false.
bool check(CUresult result, const char *call, const std::string &doing,
           std::string &error);

/// Makes `context` current for the lifetime of this object and restores the
/// previous one after. Check ok() before using the context.
class ScopedContext {
public:
  ScopedContext(CUcontext context, std::string &error);
  ~ScopedContext();
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;
  bool ok() const { return pushed_; }

private:
  bool pushed_ = false;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDADRIVER_H
