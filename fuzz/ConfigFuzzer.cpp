//===- ConfigFuzzer.cpp - libFuzzer target: the config.json reader --------===//
//
// The importer's other front door: whatever text config.json holds,
// parseModelConfig returns a configuration that keeps the promises the
// importer builds on (every size positive, the layer count at least 0,
// a finite positive epsilon) or refuses it with a message naming the
// problem.
//
//===----------------------------------------------------------------------===//

#include "mamba/Import/ModelConfig.h"

#include "llvm/ADT/StringRef.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  std::string error;
  std::optional<mlir::mamba::ModelConfig> config =
      mlir::mamba::parseModelConfig(text, error);
  auto fail = [](const char *what) {
    std::fprintf(stderr, "ConfigFuzzer: %s\n", what);
    std::abort();
  };
  if (!config) {
    if (error.empty())
      fail("refused without a message");
    return 0;
  }
  // No layers is a model (embedding, norm, head); any other size is not.
  if (config->hidden <= 0 || config->layers < 0 || config->vocab <= 0 ||
      config->stateSize <= 0 || config->convKernel <= 0 || config->inner <= 0 ||
      config->dtRank <= 0)
    fail("accepted a size that is not positive");
  if (!std::isfinite(config->eps) || config->eps <= 0)
    fail("accepted an epsilon that is not a finite positive number");
  return 0;
}
