//===- SafeTensorsFuzzer.cpp - libFuzzer target: the safetensors reader ---===//
//
// The importer's and the runtime's front door for weights: whatever the
// bytes, SafeTensorsFile loads them or refuses them with a message. A file
// it loads keeps its promises: every tensor's byte range lies inside the
// data section and matches its shape and dtype, and converting a tensor
// reads only those bytes (ASan watches).
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/SafeTensors.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace mamba::format;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A copy of exactly `size` bytes, so that ASan sees a read past the end.
  std::vector<uint8_t> bytes(data, data + size);
  SafeTensorsFile file;
  std::string error;
  if (!file.loadFromMemory(bytes.data(), bytes.size(), "fuzz.safetensors",
                           error)) {
    if (error.empty()) {
      std::fprintf(stderr, "SafeTensorsFuzzer: refused without a message\n");
      std::abort();
    }
    return 0;
  }
  std::vector<double> values;
  for (const TensorInfo &info : file.tensors()) {
    if (info.dataEnd < info.dataBegin) {
      std::fprintf(stderr, "SafeTensorsFuzzer: %s: inverted byte range\n",
                   info.name.c_str());
      std::abort();
    }
    if (info.byteSize())
      (void)file.bytes(info)[info.byteSize() - 1];
    if (isConvertibleToDouble(info.dtype) &&
        file.toDoubles(info, values, error) &&
        values.size() != info.numElements) {
      std::fprintf(stderr,
                   "SafeTensorsFuzzer: %s: %zu values for %llu "
                   "elements\n",
                   info.name.c_str(), values.size(),
                   static_cast<unsigned long long>(info.numElements));
      std::abort();
    }
  }
  return 0;
}
