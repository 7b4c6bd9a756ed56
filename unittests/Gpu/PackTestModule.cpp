//===- PackTestModule.cpp - Builds a .mmod from a header and kernel images ===//
//
//   mamba-pack-test-module OUT.mmod HEADER.json MODULE:CHIP:KIND:PATH...
//
// Writes HEADER.json (everything but "images") with the given images as the
// data section, then loads the result with the runtime's reader, so that a
// hand-made test module is held to the same rules as the compiler's. Only for
// the hand-written test kernels; the compiler writes its own files.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

namespace {

bool readFile(const std::string &path, std::vector<uint8_t> &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  out.assign(std::istreambuf_iterator<char>(in),
             std::istreambuf_iterator<char>());
  return !in.bad();
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0]
              << " OUT.mmod HEADER.json MODULE:CHIP:KIND:PATH...\n";
    return 2;
  }
  std::string outPath = argv[1];
  std::vector<uint8_t> headerText;
  if (!readFile(argv[2], headerText)) {
    std::cerr << argv[2] << ": cannot read\n";
    return 1;
  }
  nlohmann::json header = nlohmann::json::parse(
      headerText.begin(), headerText.end(), nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    std::cerr << argv[2] << ": not a JSON object\n";
    return 1;
  }

  std::vector<uint8_t> data;
  nlohmann::json images = nlohmann::json::array();
  for (int i = 3; i < argc; ++i) {
    std::string spec = argv[i];
    size_t a = spec.find(':'), b = spec.find(':', a + 1),
           c = spec.find(':', b + 1);
    if (a == std::string::npos || b == std::string::npos ||
        c == std::string::npos) {
      std::cerr << spec << ": expected MODULE:CHIP:KIND:PATH\n";
      return 2;
    }
    std::string path = spec.substr(c + 1);
    std::vector<uint8_t> bytes;
    if (!readFile(path, bytes)) {
      std::cerr << path << ": cannot read\n";
      return 1;
    }
    images.push_back({{"module", spec.substr(0, a)},
                      {"chip", spec.substr(a + 1, b - a - 1)},
                      {"kind", spec.substr(b + 1, c - b - 1)},
                      {"offset", data.size()},
                      {"size", bytes.size()}});
    data.insert(data.end(), bytes.begin(), bytes.end());
  }
  header["images"] = images;

  std::vector<uint8_t> file =
      mamba::format::assembleModuleFile(header.dump(2), data);
  mamba::format::ModuleFile check;
  std::string error;
  if (!check.loadFromMemory(file.data(), file.size(), outPath, error)) {
    std::cerr << "the packed module is invalid: " << error << "\n";
    return 1;
  }
  std::ofstream out(outPath, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(file.data()),
            static_cast<std::streamsize>(file.size()));
  if (!out) {
    std::cerr << outPath << ": cannot write\n";
    return 1;
  }
  return 0;
}
