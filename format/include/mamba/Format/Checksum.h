//===- Checksum.h - CRC-32 of module file sections --------------*- C++ -*-===//
//
// A module file carries the CRC-32 of its header and of its data section
// (docs/ModuleFormat.md), so that a corrupted kernel image or plan is an
// error at load, not a wrong answer or a GPU fault. CRC-32 (the IEEE
// polynomial of zlib, PNG and gzip, reflected) catches every burst of up to
// 32 bits and all but 2^-32 of other corruptions; it is not a defence
// against someone changing a file on purpose.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_CHECKSUM_H
#define MAMBA_FORMAT_CHECKSUM_H

#include <cstddef>
#include <cstdint>

namespace mamba::format {

/// The CRC-32 of `size` bytes at `data`; `crc32(b, n) ==
/// crc32(b + k, n - k, crc32(b, k))`, so a section may be checked in parts.
uint32_t crc32(const uint8_t *data, size_t size, uint32_t previous = 0);

} // namespace mamba::format

#endif // MAMBA_FORMAT_CHECKSUM_H
