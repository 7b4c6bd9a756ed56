//===- ScanCase.h - What a test kernel computes -----------------*- C++ -*-===//
//
// Each compiled test module NAME.mmod comes with a sidecar NAME.case.json
// (written with the test's MLIR source) saying which op it computes and on
// which shapes to check it:
//
//   {"op": "selective_scan", "element": "bf16",
//    "options": ["D", "z", "delta_bias", "initial_state"],
//    "delta_softplus": true, "final_state": true,
//    "shapes": [[b, d, L, N, G], ...],
//    "function": "scan",            (optional: the module's only function)
//    "checked_channels": [0, 2047]} (optional: sample these channels only)
//
// The directories searched are MAMBA_GPU_KERNELS (colon-separated), else the
// build's test-kernels (the compiler's) and runtime-test-kernels (the
// hand-written kernels of unittests/Gpu/kernels).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_GPU_SCANCASE_H
#define MAMBA_UNITTESTS_GPU_SCANCASE_H

#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::gpu_test {

struct ScanShape {
  int64_t b = 0, d = 0, L = 0, N = 0, G = 0;
  /// "b2_d64_L128_N16_G1", used in test names.
  std::string name() const;
};

struct ScanCase {
  std::string name; ///< NAME of NAME.case.json
  std::string casePath;
  std::string modulePath;
  std::string function; ///< empty: the module's only function
  std::string op;
  runtime::ElementType element = runtime::ElementType::F32;
  bool hasD = false, hasZ = false, hasDeltaBias = false,
       hasInitialState = false;
  bool deltaSoftplus = false;
  bool finalState = false;
  std::vector<ScanShape> shapes;
  /// When set (long sequences, 64-bit offsets): only these channels get
  /// random inputs and are checked; the rest of u, delta and z is a
  /// constant filled on the device. Needs G = 1.
  std::vector<int64_t> checkedChannels;
};

/// Reads and checks a sidecar; `modulePath` is set to NAME.mmod beside it.
bool parseScanCase(const std::string &casePath, ScanCase &out,
                   std::string &error);

struct KernelDiscovery {
  std::vector<std::string> directories;
  std::vector<ScanCase> cases;
  /// Every NAME.mmod found, with or without a sidecar.
  std::vector<std::string> moduleFiles;
  /// Problems that become failing tests: bad sidecars, sidecars without a
  /// module.
  std::vector<std::pair<std::string, std::string>> problems;
};

/// The directories to search, from MAMBA_GPU_KERNELS or the build's default.
std::vector<std::string> kernelDirectories();

/// Lists `directories` (missing ones are skipped) in sorted order.
KernelDiscovery discoverKernels(const std::vector<std::string> &directories);

} // namespace mamba::gpu_test

#endif // MAMBA_UNITTESTS_GPU_SCANCASE_H
