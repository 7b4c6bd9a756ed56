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

#ifndef MAMBA_RUNTIME_MODULEFILE_H
#define MAMBA_RUNTIME_MODULEFILE_H

#include "mamba/Runtime/ModelSpec.h"
#include "mamba/Runtime/ShapeExpr.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mamba::runtime {

/// The spellings of ElementType (ModelSpec.h) are MLIR's ("bf16", "f32",
/// "i64").
const char *elementTypeName(ElementType type);
size_t elementTypeSize(ElementType type);
/// False for a name that is not one of the spellings above.
bool parseElementType(const std::string &name, ElementType &type);

/// An NVIDIA target: "sm_90" is {9, 0, '\0'}, "sm_90a" {9, 0, 'a'} (code for
/// exactly that chip), "sm_100f" {10, 0, 'f'} (for the family of 10.x chips).
struct Chip {
  unsigned major = 0;
  unsigned minor = 0;
  char suffix = '\0';
};
/// Accepts "sm_" followed by two to four digits (the last is the minor
/// version) and an optional 'a' or 'f'.
bool parseChip(const std::string &name, Chip &chip);

enum class ImageKind { Cubin, Ptx };
const char *imageKindName(ImageKind kind);

/// One compiled form of one gpu module.
struct KernelImage {
  std::string module;
  std::string chipName;
  Chip chip;
  ImageKind kind = ImageKind::Cubin;
  /// Byte range inside the data section.
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// A tensor argument; -1 in `shape` is a dimension given at run time.
struct ArgSpec {
  ElementType element = ElementType::F32;
  Shape shape;
};

/// A result buffer; its dimensions are expressions over the argument shapes.
struct ResultSpec {
  ElementType element = ElementType::F32;
  std::vector<ShapeExpr> shape;
};

enum class ParamSource { Arg, Result, Scratch };

/// A memref kernel parameter: expands to the memref descriptor of argument
/// or result `index` (allocated and aligned pointer, offset, sizes, strides).
struct KernelParamSpec {
  ParamSource source = ParamSource::Arg;
  uint32_t index = 0;
  uint32_t rank = 0;
};

struct LaunchSpec {
  std::string module;
  std::string kernel;
  std::array<ShapeExpr, 3> grid;
  std::array<ShapeExpr, 3> block;
  ShapeExpr sharedBytes;
  std::vector<KernelParamSpec> params;
};

struct FunctionSpec {
  std::string name;
  std::vector<ArgSpec> args;
  std::vector<ResultSpec> results;
  /// Buffers the launches use between them (a split scan's carried
  /// states): allocated for a call, uninitialized, and not returned.
  std::vector<ResultSpec> scratch;
  /// Run in order on one stream.
  std::vector<LaunchSpec> launches;
};

class ModuleFile {
public:
  static constexpr char kMagic[9] = "MAMBAMOD";
  static constexpr int64_t kVersion = 1;
  /// Bounds that keep a corrupt file from making the parser or the launcher
  /// allocate without limit; far above anything the compiler writes.
  static constexpr uint64_t kMaxHeaderBytes = 16u << 20;
  static constexpr unsigned kMaxJsonDepth = 256;
  static constexpr unsigned kMaxRank = 16;

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

  const std::vector<KernelImage> &images() const { return images_; }
  const std::vector<FunctionSpec> &functions() const { return functions_; }
  /// nullptr when there is no function of that name.
  const FunctionSpec *findFunction(const std::string &name) const;
  /// The compiled model's plan; nullptr for a module of kernels only.
  const ModelSpec *model() const { return model_ ? &*model_ : nullptr; }

  /// The names of the gpu modules that some launch uses, in order of first
  /// use: exactly the modules a loader must load.
  std::vector<std::string> launchedModules() const;

  /// The best image of `module` that a device of compute capability
  /// `major.minor` can load: a cubin built for exactly that chip (the
  /// arch-specific "a" variant first), then a cubin of the same major
  /// version and a lower minor, then the newest PTX it can JIT. nullptr when
  /// none fits.
  const KernelImage *selectImage(const std::string &module, unsigned major,
                                 unsigned minor) const;

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
  std::vector<KernelImage> images_;
  std::vector<FunctionSpec> functions_;
  std::optional<ModelSpec> model_;
};

/// Assembles a module file from a header and a data section, exactly as the
/// compiler lays it out; for tests and test tools (it does not validate).
std::vector<uint8_t> encodeModuleFile(const std::string &headerJson,
                                      const std::vector<uint8_t> &data);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_MODULEFILE_H
