//===- ModuleFileTestSupport.cpp - Module files for the loader tests ------===//

#include "ModuleFileTestSupport.h"

namespace mamba::format::testing {

ModuleFixture::ModuleFixture() {
  std::string cubin = "\x7f"
                      "ELFcubin";
  std::string ptx = ".version 8.0\n.target sm_80\n";
  data.assign(cubin.begin(), cubin.end());
  data.insert(data.end(), ptx.begin(), ptx.end());
  header = nlohmann::json::parse(R"({
    "format": "mamba-module",
    "version": 2,
    "images": [
      {"module": "scan_kernel", "chip": "sm_90a", "kind": "cubin",
       "offset": 0, "size": 9},
      {"module": "scan_kernel", "chip": "sm_80", "kind": "ptx",
       "offset": 9, "size": 27}
    ],
    "functions": [{
      "name": "scan",
      "args": [{"element": "bf16", "shape": [-1, 64, -1]},
               {"element": "f32", "shape": [64, 16]}],
      "results": [{"element": "bf16",
                   "shape": [{"dim": [0, 0]}, 64, {"dim": [0, 2]}]}],
      "launches": [{
        "module": "scan_kernel",
        "kernel": "scan_kernel",
        "grid": [{"op": "ceildiv", "args": [{"dim": [0, 1]}, 32]},
                 {"dim": [0, 0]}, 1],
        "block": [128, 1, 1],
        "shared_bytes": 0,
        "params": [
          {"kind": "memref", "source": "arg", "index": 0, "rank": 3},
          {"kind": "memref", "source": "arg", "index": 1, "rank": 2},
          {"kind": "memref", "source": "result", "index": 0, "rank": 3}
        ]
      }]
    }]
  })");
}

std::vector<uint8_t> ModuleFixture::bytes() const {
  return assembleModuleFile(header.dump(), data);
}

std::string ModuleFixture::loadError(ModuleFile *out) const {
  ModuleFile local;
  ModuleFile &file = out ? *out : local;
  std::vector<uint8_t> b = bytes();
  std::string error;
  if (file.loadFromMemory(b.data(), b.size(), "test.mmod", error))
    return "";
  return error.empty() ? "(failed with an empty message)" : error;
}

::testing::AssertionResult assertContains(const char *haystackExpr,
                                          const char *needleExpr,
                                          const std::string &haystack,
                                          const std::string &needle) {
  if (haystack.find(needle) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << haystackExpr << " does not contain " << needleExpr << "\n  text: \""
         << haystack << "\"\n  missing: \"" << needle << "\"";
}

} // namespace mamba::format::testing
