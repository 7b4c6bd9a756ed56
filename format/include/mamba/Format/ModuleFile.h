//===- ModuleFile.h - Reader of compiled modules (.mmod) --------*- C++ -*-===//
//
// A .mmod file is what the compiler hands the runtime: kernel images (cubin
// and PTX) and, per compiled function, its tensor arguments, the shapes of the
// results it produces and the kernel launches that produce them. The format
// is docs/ModuleFormat.md.
//
// The file is checked completely on load, so that nothing later (the CUDA
// loader, the launcher) has to distrust it: every offset is inside the data
// section, every expression is well formed and reads existing dimensions,
// every kernel parameter names an existing tensor of the right rank. No
// exception leaves this API; failures are a false return and a message that
// names the file and the offending entry.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_MODULEFILE_H
#define MAMBA_FORMAT_MODULEFILE_H

#include "mamba/Format/ModuleSpec.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mamba::format {

class ModuleFile {
public:
  /// Reads and validates `path`. On failure returns false, sets `error` to a
  /// message that starts with the path, and leaves this object empty.
  bool load(const std::string &path, std::string &error);
  /// The same on an in-memory image, which is copied (for fuzzers and
  /// tests); `sourceName` names it in errors.
  bool loadFromMemory(const void *data, size_t size,
                      const std::string &sourceName, std::string &error);
  void reset();

  bool isLoaded() const { return loaded_; }
  const std::string &sourceName() const { return sourceName_; }

  /// The whole header, checked.
  const ModuleSpec &spec() const { return spec_; }
  const std::vector<KernelImage> &images() const { return spec_.images; }
  const std::vector<FunctionSpec> &functions() const { return spec_.functions; }
  /// nullptr when there is no function of that name.
  const FunctionSpec *findFunction(const std::string &name) const {
    return spec_.findFunction(name);
  }
  /// The compiled model's plan; nullptr for a module of kernels only.
  const ModelSpec *model() const {
    return spec_.model ? &*spec_.model : nullptr;
  }
  /// The data section (the images' bytes).
  const uint8_t *data() const { return bytes_.data() + dataOffset_; }
  size_t dataSize() const { return bytes_.size() - dataOffset_; }

  /// The names of the gpu modules that some launch uses, in order of first
  /// use: exactly the modules a loader must load.
  std::vector<std::string> launchedModules() const;

  /// The best image of `module` that an NVIDIA device of compute
  /// capability `major.minor` can load: a cubin built for exactly that chip (the
  /// arch-specific "a" variant first), then a cubin of the same major
  /// version and a lower minor, then the newest PTX it can JIT. nullptr when
  /// none fits.
  const KernelImage *selectImage(const std::string &module, unsigned major,
                                 unsigned minor) const;
  /// The shared object of `module` for the highest x86-64 level at most
  /// `level` (the host's); nullptr when none fits.
  const KernelImage *selectHostImage(const std::string &module,
                                     unsigned level) const;

  /// The image's bytes (PTX without a terminating NUL).
  const uint8_t *imageBytes(const KernelImage &image) const {
    return bytes_.data() + dataOffset_ + image.offset;
  }

private:
  bool parse(std::string &error);

  bool loaded_ = false;
  std::string sourceName_;
  std::vector<uint8_t> bytes_;
  size_t dataOffset_ = 0;
  ModuleSpec spec_;
};

} // namespace mamba::format

#endif // MAMBA_FORMAT_MODULEFILE_H
