//===- CpuHostCode.cpp - A module's shared objects, loaded ----------------===//

#include "mamba/Runtime/Cpu/HostCode.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mamba::runtime::cpu {

unsigned hostLevel() {
  // The psABI levels' feature lists (x86-64 psABI, "Micro-architecture
  // levels"), checked with the compiler's cpuid support.
  __builtin_cpu_init();
  bool v2 = __builtin_cpu_supports("cmpxchg16b") &&
            __builtin_cpu_supports("popcnt") &&
            __builtin_cpu_supports("sse3") &&
            __builtin_cpu_supports("sse4.1") &&
            __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("ssse3");
  bool v3 = v2 && __builtin_cpu_supports("avx") &&
            __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
            __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c") &&
            __builtin_cpu_supports("fma") && __builtin_cpu_supports("lzcnt") &&
            __builtin_cpu_supports("movbe");
  bool v4 = v3 && __builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512cd") &&
            __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl");
  return v4 ? 4 : v3 ? 3 : v2 ? 2 : 1;
}

std::string hostLevelName(unsigned level) {
  return level <= 1 ? "x86-64" : "x86-64-v" + std::to_string(level);
}

SharedObject::~SharedObject() {
  if (handle_)
    dlclose(handle_);
  if (fd_ >= 0)
    ::close(fd_);
}

bool SharedObject::load(const uint8_t *bytes, uint64_t size,
                        const std::string &name, std::string &error) {
  name_ = name;
  int fd = memfd_create(("mamba-" + name).c_str(), MFD_CLOEXEC);
  if (fd < 0) {
    error =
        "host code of '" + name + "': memfd_create: " + std::strerror(errno);
    return false;
  }
  for (uint64_t done = 0; done < size;) {
    ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error = "host code of '" + name +
              "': writing it for the loader: " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    done += static_cast<uint64_t>(n);
  }
  // RTLD_LOCAL: two modules' kernels of one name stay apart. The loader
  // knows an object by its path, so the descriptor stays open while the
  // object is loaded: another object's /proc/self/fd/N would otherwise
  // reuse the number and be taken for this one.
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    ::close(fd);
    const char *why = dlerror();
    error = "host code of '" + name +
            "' does not load: " + (why ? why : "unknown loader error");
    return false;
  }
  fd_ = fd;
  return true;
}

HostKernel SharedObject::kernel(const std::string &symbol,
                                std::string &error) const {
  if (!handle_) {
    error = "kernel '" + symbol + "': the host code is not loaded";
    return nullptr;
  }
  dlerror();
  void *address = dlsym(handle_, symbol.c_str());
  if (!address) {
    error = "host code of '" + name_ + "' has no kernel '" + symbol + "'";
    return nullptr;
  }
  return reinterpret_cast<HostKernel>(address);
}

} // namespace mamba::runtime::cpu
