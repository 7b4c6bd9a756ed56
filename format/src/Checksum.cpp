//===- Checksum.cpp - CRC-32 of module file sections ----------------------===//

#include "mamba/Format/Checksum.h"

#include <array>

namespace mamba::format {

namespace {

/// The byte-at-a-time table of the reflected polynomial 0xEDB88320: a
/// module's few megabytes check in a millisecond or two, next to the
/// tens of milliseconds a GPU module load takes.
std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

} // namespace

uint32_t crc32(const uint8_t *data, size_t size, uint32_t previous) {
  static const std::array<uint32_t, 256> table = makeTable();
  uint32_t c = ~previous;
  for (size_t i = 0; i < size; ++i)
    c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

} // namespace mamba::format
