//===- CpuHostCode.cpp - A module's shared objects, loaded ----------------===//

#include "mamba/Runtime/Cpu/HostCode.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mamba::runtime::cpu {

namespace {

/// The x86-64 psABI levels' feature lists ("Micro-architecture levels"),
/// each checked with the compiler's cpuid support (which takes only a
/// literal name, hence a function per feature).
struct LevelFeature {
  unsigned level;
  const char *name;
  bool (*present)();
};
#define MAMBA_FEATURE(level, name)                                             \
  LevelFeature {                                                               \
    level, name, [] { return __builtin_cpu_supports(name) != 0; }              \
  }
const LevelFeature kLevelFeatures[] = {
    MAMBA_FEATURE(2, "cmpxchg16b"), MAMBA_FEATURE(2, "popcnt"),
    MAMBA_FEATURE(2, "sse3"),       MAMBA_FEATURE(2, "sse4.1"),
    MAMBA_FEATURE(2, "sse4.2"),     MAMBA_FEATURE(2, "ssse3"),
    MAMBA_FEATURE(3, "avx"),        MAMBA_FEATURE(3, "avx2"),
    MAMBA_FEATURE(3, "bmi"),        MAMBA_FEATURE(3, "bmi2"),
    MAMBA_FEATURE(3, "f16c"),       MAMBA_FEATURE(3, "fma"),
    MAMBA_FEATURE(3, "lzcnt"),      MAMBA_FEATURE(3, "movbe"),
    MAMBA_FEATURE(4, "avx512f"),    MAMBA_FEATURE(4, "avx512bw"),
    MAMBA_FEATURE(4, "avx512cd"),   MAMBA_FEATURE(4, "avx512dq"),
    MAMBA_FEATURE(4, "avx512vl"),
};
#undef MAMBA_FEATURE

} // namespace

std::vector<std::string> missingFeatures(unsigned level) {
  __builtin_cpu_init();
  std::vector<std::string> missing;
  for (const LevelFeature &f : kLevelFeatures)
    if (f.level <= level && !f.present())
      missing.push_back(f.name);
  return missing;
}

unsigned hostLevel() {
  unsigned level = 1;
  while (level < 4 && missingFeatures(level + 1).empty())
    ++level;
  return level;
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
