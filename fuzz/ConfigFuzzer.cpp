//===- ConfigFuzzer.cpp - libFuzzer target: the config.json reader --------===//
//
// The importer's other front door: whatever text config.json holds,
// parseModelConfig returns a configuration that keeps the promises the
// importer builds on (every size positive, the layer count at least 0,
// a finite positive epsilon; for Mamba-2, heads that make the inner size,
// groups that divide them, an ordered time-step limit) or refuses it with a
// message naming the problem.
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
      config->stateSize <= 0 || config->convKernel <= 0 || config->inner <= 0)
    fail("accepted a size that is not positive");
  if (!std::isfinite(config->eps) || config->eps <= 0)
    fail("accepted an epsilon that is not a finite positive number");
  if (config->family == mlir::mamba::ModelFamily::Mamba1) {
    if (config->dtRank <= 0)
      fail("accepted a Mamba-1 time-step rank that is not positive");
    return 0;
  }
  // Mamba-2: heads of head_dim channels that make the inner size, groups
  // that divide the heads, a time-step limit 0 <= low <= high.
  if (config->heads <= 0 || config->headDim <= 0 || config->groups <= 0 ||
      config->chunkSize <= 0)
    fail("accepted a Mamba-2 size that is not positive");
  if (config->heads * config->headDim != config->inner ||
      config->heads % config->groups != 0)
    fail("accepted Mamba-2 heads that do not fit the inner size or groups");
  if (!(config->dtMin >= 0) || !(config->dtMin <= config->dtMax) ||
      std::isinf(config->dtMin))
    fail("accepted a time-step limit that is not 0 <= low <= high");
  return 0;
}
