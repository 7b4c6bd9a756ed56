//===- ModuleWriter.h - Writer of compiled modules (.mmod) ------*- C++ -*-===//
//
// The one writer of the module format (docs/ModuleFormat.md). The compiler
// builds a ModuleSpec from its IR, adds the kernel images' bytes here, and
// writes. Before anything is written the encoded file is read back with the
// runtime's reader (ModuleFile.h), so the compiler can never produce a file
// that the runtime would reject: a spec the reader refuses is an error here,
// with the reader's message.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_MODULEWRITER_H
#define MAMBA_FORMAT_MODULEWRITER_H

#include "mamba/Format/ModuleSpec.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mamba::format {

class ModuleWriter {
public:
  /// Appends `bytes` to the data section and records them as the image of
  /// gpu module `module` for `chipName`. False, with `error` set, for a chip
  /// name parseChip() does not accept or an empty image.
  bool addImage(const std::string &module, const std::string &chipName,
                ImageKind kind, std::string_view bytes, std::string &error);

  /// The header the file will have; fill its functions and model.
  ModuleSpec &spec() { return spec_; }

  /// Encodes the file and checks it with the reader. False, with `error`
  /// set, when the reader rejects it; `out` is then left empty.
  bool encode(std::vector<uint8_t> &out, std::string &error) const;

private:
  ModuleSpec spec_;
  std::vector<uint8_t> data_;
};

/// The header as the file stores it: compact JSON with the keys of every
/// object in byte order (not validated).
std::string encodeHeader(const ModuleSpec &spec);

/// Lays out a module file: magic, the header's length, the checksums of the
/// header and the data section, the header, then the data section. Not validated: for the writer and for tests that build
/// malformed files on purpose.
std::vector<uint8_t> assembleModuleFile(const std::string &headerJson,
                                        const std::vector<uint8_t> &data);

} // namespace mamba::format

#endif // MAMBA_FORMAT_MODULEWRITER_H
