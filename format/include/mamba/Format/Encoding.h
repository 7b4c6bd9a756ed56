//===- Encoding.h - The module file's constants and names -------*- C++ -*-===//
//
// What the compiler's writer and the runtime's reader must agree on, byte for
// byte: the magic, the version, the limits a reader enforces, and the
// spellings of element types, chips and image kinds (docs/ModuleFormat.md).
// Nothing outside the format library spells any of them.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_ENCODING_H
#define MAMBA_FORMAT_ENCODING_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace mamba::format {

/// The first eight bytes of every module file.
constexpr char kModuleMagic[9] = "MAMBAMOD";
/// The header's "format" field.
constexpr const char *kModuleFormatName = "mamba-module";
/// The header's "version" field: the one version written and read.
constexpr int64_t kModuleVersion = 1;
/// Magic (8 bytes) and the header's length (u64, little-endian).
constexpr size_t kModulePreambleBytes = 16;

/// Bounds that keep a corrupt file from making the parser or the launcher
/// allocate without limit; far above anything the compiler writes.
constexpr uint64_t kMaxHeaderBytes = 16u << 20;
constexpr unsigned kMaxJsonDepth = 256;
constexpr unsigned kMaxRank = 16;

/// Element types of tensors crossing a function boundary.
enum class ElementType { I8, I16, I32, I64, F16, BF16, F32, F64 };

/// MLIR's spellings ("bf16", "f32", "i64").
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

/// The compiled forms of a gpu module that a loader takes.
enum class ImageKind { Cubin, Ptx };
const char *imageKindName(ImageKind kind);
/// False for a name other than "cubin" and "ptx".
bool parseImageKind(const std::string &name, ImageKind &kind);

} // namespace mamba::format

#endif // MAMBA_FORMAT_ENCODING_H
