//===- CublasLt.cpp - cuBLASLt, opened at run time ------------------------===//

#include "CublasLt.h"

#include <dlfcn.h>

#include <cstdlib>
#include <vector>

namespace mamba::runtime::cuda {

namespace {

#define MAMBA_BLAS_STRINGIFY_EXPANDED(x) MAMBA_BLAS_STRINGIFY(x)
#define MAMBA_BLAS_STRINGIFY(x) #x

/// The soname of the major version whose header we were built with: the
/// ABI of another major version is not ours to assume.
constexpr const char *kSoname =
    "libcublasLt.so." MAMBA_BLAS_STRINGIFY_EXPANDED(CUBLAS_VER_MAJOR);

struct LoadedBlas {
  CublasLtApi api;
  bool ok = false;
  std::string error;
};

/// MAMBA_CUBLASLT (a path) first; then the soname through the loader's
/// search path; then the toolkit's usual place, which a machine with the
/// toolkit but no ld.so.conf entry for it still has.
std::vector<std::string> candidates() {
  std::vector<std::string> paths;
  if (const char *path = std::getenv("MAMBA_CUBLASLT"); path && *path)
    paths.push_back(path);
  paths.push_back(kSoname);
  paths.push_back(std::string("/usr/local/cuda/lib64/") + kSoname);
  return paths;
}

LoadedBlas loadBlas() {
  LoadedBlas b;
  void *library = nullptr;
  std::string tried;
  for (const std::string &path : candidates()) {
    // Never closed, like the driver: kernels it loaded stay in use.
    library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library) {
      b.api.library = path;
      break;
    }
    const char *why = ::dlerror();
    tried += "\n  " + path + ": " + (why ? why : "unknown reason");
  }
  if (!library) {
    b.error = std::string("cannot load cuBLASLt (") + kSoname +
              "; set MAMBA_CUBLASLT to its path):" + tried;
    return b;
  }
#define MAMBA_CUBLASLT_LOAD(fn)                                                \
  b.api.fn = reinterpret_cast<decltype(b.api.fn)>(                             \
      ::dlsym(library, MAMBA_BLAS_STRINGIFY_EXPANDED(fn)));                    \
  if (!b.api.fn) {                                                             \
    b.error = "cuBLASLt (" + b.api.library +                                   \
              ") has no " MAMBA_BLAS_STRINGIFY_EXPANDED(fn);                   \
    return b;                                                                  \
  }
  MAMBA_CUBLASLT_FUNCTIONS(MAMBA_CUBLASLT_LOAD)
#undef MAMBA_CUBLASLT_LOAD
  b.ok = true;
  return b;
}

const LoadedBlas &loadedBlas() {
  static const LoadedBlas loaded = loadBlas();
  return loaded;
}

} // namespace

const CublasLtApi *cublasLt(std::string &error) {
  const LoadedBlas &b = loadedBlas();
  if (!b.ok) {
    error = b.error;
    return nullptr;
  }
  return &b.api;
}

bool checkBlas(cublasStatus_t status, const char *call,
               const std::string &doing, std::string &error) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return true;
  const CublasLtApi &a = loadedBlas().api;
  const char *name =
      a.cublasLtGetStatusName ? a.cublasLtGetStatusName(status) : nullptr;
  const char *text =
      a.cublasLtGetStatusString ? a.cublasLtGetStatusString(status) : nullptr;
  error = std::string(call) + " failed with " +
          (name ? name : "cublasStatus_t " + std::to_string(status)) +
          (text ? std::string(" (") + text + ")" : std::string()) + " while " +
          doing;
  return false;
}

} // namespace mamba::runtime::cuda
