//===- ModuleSpec.h - What a module file holds ------------------*- C++ -*-===//
//
// A module file (docs/ModuleFormat.md) as C++ values: the kernel images, the
// compiled functions (arguments, result and scratch buffers, launches) and,
// for a compiled model, its plan (ModelSpec.h). The compiler fills these and
// hands them to the writer (ModuleWriter.h); the reader (ModuleFile.h) gives
// them back, checked.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_MODULESPEC_H
#define MAMBA_FORMAT_MODULESPEC_H

#include "mamba/Format/Encoding.h"
#include "mamba/Format/ModelSpec.h"
#include "mamba/Format/ShapeExpr.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mamba::format {

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
/// "arg", "result", "scratch": the file's spelling.
const char *paramSourceName(ParamSource source);

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

/// The header of a module file: everything but the images' bytes.
struct ModuleSpec {
  std::vector<KernelImage> images;
  std::vector<FunctionSpec> functions;
  /// A compiled model's plan; absent for a module of kernels only.
  std::optional<ModelSpec> model;

  /// nullptr when there is no function of that name.
  const FunctionSpec *findFunction(const std::string &name) const;
};

} // namespace mamba::format

#endif // MAMBA_FORMAT_MODULESPEC_H
