//===- HostCode.h - A module's shared objects, loaded -----------*- C++ -*-===//
//
// Host kernels come in the module file as shared objects ("so" images, one
// per x86-64 level). Each is handed to the system's dynamic loader from
// memory (a memfd, so nothing is written to disk and nothing is left
// behind), and its kernels are looked up by name. The runtime links no
// LLVM: this is all it takes to run compiled CPU code.
//
// A host kernel runs one block of its launch's grid per call:
//
//   extern "C" void kernel(const uint64_t *params,
//                          const uint32_t blockIndex[3],
//                          const uint32_t gridSize[3]);
//
// `params` are the launch's 8-byte parameter slots, packed as for a GPU
// kernel (memref descriptors, LaunchPlan.h's packKernelParams).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CPU_HOSTCODE_H
#define MAMBA_RUNTIME_CPU_HOSTCODE_H

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::runtime::cpu {

using HostKernel = void (*)(const uint64_t *params, const uint32_t *blockIndex,
                            const uint32_t *gridSize);

/// The highest x86-64 psABI level this CPU has (1 to 4), from its feature
/// flags; what the loader picks a module's image by.
unsigned hostLevel();
/// "x86-64-v4" for 4, "x86-64" for 1.
std::string hostLevelName(unsigned level);
/// The features x86-64 level `level` needs that this CPU lacks (cpuid's
/// names, e.g. "avx512f"); empty when it has them all.
std::vector<std::string> missingFeatures(unsigned level);

/// One shared object loaded from memory; unloaded when destroyed.
class SharedObject {
public:
  SharedObject() = default;
  ~SharedObject();
  SharedObject(const SharedObject &) = delete;
  SharedObject &operator=(const SharedObject &) = delete;

  /// `name` is for messages (the module's name).
  bool load(const uint8_t *bytes, uint64_t size, const std::string &name,
            std::string &error);
  /// The kernel named `symbol`; nullptr with an error naming it when the
  /// object has none.
  HostKernel kernel(const std::string &symbol, std::string &error) const;

private:
  void *handle_ = nullptr;
  int fd_ = -1; ///< the memfd the loader knows the object by
  std::string name_;
};

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_HOSTCODE_H
