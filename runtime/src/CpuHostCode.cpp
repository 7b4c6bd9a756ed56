//===- CpuHostCode.cpp - A module's shared objects, loaded ----------------===//

#include "mamba/Runtime/Cpu/HostCode.h"

#include <cpuid.h>
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace mamba::runtime::cpu {

namespace {

/// The x86-64 psABI levels' feature lists ("Micro-architecture levels"),
/// read from cpuid directly. Not __builtin_cpu_supports: its feature names
/// differ between compilers (clang-22 has no "cmpxchg16b", warns and
/// answers 0), so a runtime built with clang refused x86-64-v2 and up on
/// every machine.
enum Register { Ecx, Ebx };
struct LevelFeature {
  unsigned level;
  const char *name;
  unsigned leaf; ///< subleaf 0
  Register reg;
  unsigned bit;
  /// The XCR0 bits the OS must set for the feature's registers (AVX's
  /// YMM state, AVX-512's opmask and ZMM state), else 0.
  uint64_t osState;
};
constexpr uint64_t kYmm = 0x6, kZmm = 0xe6;
const LevelFeature kLevelFeatures[] = {
    {2, "cmpxchg16b", 1, Ecx, 13, 0},
    {2, "popcnt", 1, Ecx, 23, 0},
    {2, "sse3", 1, Ecx, 0, 0},
    {2, "sse4.1", 1, Ecx, 19, 0},
    {2, "sse4.2", 1, Ecx, 20, 0},
    {2, "ssse3", 1, Ecx, 9, 0},
    {3, "avx", 1, Ecx, 28, kYmm},
    {3, "avx2", 7, Ebx, 5, kYmm},
    {3, "bmi", 7, Ebx, 3, 0},
    {3, "bmi2", 7, Ebx, 8, 0},
    {3, "f16c", 1, Ecx, 29, kYmm},
    {3, "fma", 1, Ecx, 12, kYmm},
    {3, "lzcnt", 0x80000001, Ecx, 5, 0},
    {3, "movbe", 1, Ecx, 22, 0},
    {4, "avx512f", 7, Ebx, 16, kZmm},
    {4, "avx512bw", 7, Ebx, 30, kZmm},
    {4, "avx512cd", 7, Ebx, 28, kZmm},
    {4, "avx512dq", 7, Ebx, 17, kZmm},
    {4, "avx512vl", 7, Ebx, 31, kZmm},
};

/// The register state the OS saves (XCR0), 0 without OSXSAVE.
uint64_t osSavedState() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
    return 0;
  uint32_t low, high;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (uint64_t(high) << 32) | low;
}

bool present(const LevelFeature &f, uint64_t xcr0) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(f.leaf, 0, &a, &b, &c, &d))
    return false; // the leaf is past the CPU's highest
  const unsigned word = f.reg == Ecx ? c : b;
  return (word >> f.bit & 1) && (xcr0 & f.osState) == f.osState;
}

} // namespace

std::vector<std::string> missingFeatures(unsigned level) {
  const uint64_t xcr0 = osSavedState();
  std::vector<std::string> missing;
  for (const LevelFeature &f : kLevelFeatures)
    if (f.level <= level && !present(f, xcr0))
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
