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
/// Version 2 added the checksums to the preamble.
constexpr int64_t kModuleVersion = 2;
/// Magic (8 bytes), the header's length (u64, little-endian), the CRC-32
/// of the header and that of the data section (u32 each, little-endian).
constexpr size_t kModulePreambleBytes = 24;

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

/// What a kernel image runs on. An NVIDIA chip: "sm_90" is {Nvidia, 9, 0,
/// '\0'}, "sm_90a" {Nvidia, 9, 0, 'a'} (code for exactly that chip),
/// "sm_100f" {Nvidia, 10, 0, 'f'} (for the family of 10.x chips). A host
/// CPU: a level of the x86-64 psABI, "x86-64" {X86_64, 1} (the baseline)
/// to "x86-64-v4" {X86_64, 4} (AVX-512); code for a level runs on every
/// CPU of that level or above.
struct Chip {
  enum class Family { Nvidia, X86_64 };
  Family family = Family::Nvidia;
  unsigned major = 0; ///< the compute capability's major, or the level
  unsigned minor = 0;
  char suffix = '\0';
};
/// Accepts "sm_" followed by two to four digits (the last is the minor
/// version) and an optional 'a' or 'f', and "x86-64", "x86-64-v2",
/// "x86-64-v3", "x86-64-v4".
bool parseChip(const std::string &name, Chip &chip);

/// The compiled forms of a kernel module that a loader takes: for NVIDIA
/// chips a cubin or PTX (the CUDA driver), for host CPUs a shared object
/// (the system's dynamic loader).
enum class ImageKind { Cubin, Ptx, SharedObject };
/// "cubin", "ptx", "so".
const char *imageKindName(ImageKind kind);
/// False for a name other than those.
bool parseImageKind(const std::string &name, ImageKind &kind);
/// Whether images of `kind` are for chips of `family`.
bool imageKindRunsOn(ImageKind kind, Chip::Family family);

} // namespace mamba::format

#endif // MAMBA_FORMAT_ENCODING_H
