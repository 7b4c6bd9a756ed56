//===- ModuleReaderFuzzer.cpp - libFuzzer target: the module reader ------===//
//
// Whatever bytes a module file holds, ModuleFile either loads them or
// refuses them with a message; it never crashes, reads out of bounds or
// leaks (the sanitizers watch). A file it loads must survive the writer:
// the header encoded again from the parsed spec loads again, to the same
// bytes (the writer is the reader's inverse).
//
// The checksums are set right before the reader sees the input, as PNG
// fuzzers do with chunk CRCs: otherwise nearly every mutation would stop at
// them and nothing behind them would be reached. Their checking is
// covered by the unit tests (ModuleFileTest.ChecksumsCatchEveryChangedByte).
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/Checksum.h"
#include "mamba/Format/Encoding.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace mamba::format;

namespace {

void put32(std::vector<uint8_t> &bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

/// Writes the checksums the input's own header length implies.
void fixChecksums(std::vector<uint8_t> &bytes) {
  if (bytes.size() < kModulePreambleBytes)
    return;
  uint64_t headerSize = 0;
  for (int i = 0; i < 8; ++i)
    headerSize |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  const size_t rest = bytes.size() - kModulePreambleBytes;
  if (headerSize > rest)
    return;
  const uint8_t *header = bytes.data() + kModulePreambleBytes;
  put32(bytes, 16, crc32(header, headerSize));
  put32(bytes, 20, crc32(header + headerSize, rest - headerSize));
}

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "ModuleReaderFuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  fixChecksums(bytes);
  ModuleFile file;
  std::string error;
  if (!file.loadFromMemory(bytes.data(), bytes.size(), "fuzz.mmod", error)) {
    if (error.empty())
      fail("refused without a message", "");
    return 0;
  }
  // What a loader asks of a loaded file.
  for (const std::string &module : file.launchedModules()) {
    for (unsigned major : {8u, 9u, 10u})
      if (const KernelImage *image = file.selectImage(module, major, 0))
        (void)file.imageBytes(*image)[image->size - 1];
    if (const KernelImage *image = file.selectHostImage(module, 4))
      (void)file.imageBytes(*image)[image->size - 1];
  }
  // Written again, it loads again, to the same header.
  const std::string header = encodeHeader(file.spec());
  const size_t dataSize = file.dataSize();
  std::vector<uint8_t> section(bytes.end() - dataSize, bytes.end());
  std::vector<uint8_t> again = assembleModuleFile(header, section);
  ModuleFile reread;
  if (!reread.loadFromMemory(again.data(), again.size(), "rewritten", error))
    fail("a loaded module does not load once written again", error);
  if (encodeHeader(reread.spec()) != header)
    fail("writing a loaded module again changes its header", header);
  return 0;
}
