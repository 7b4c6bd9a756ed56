//===- WeightChecker.h - Expected weights against stored ones ---*- C++ -*-===//
//
// Internal to the importer: what the weight checks of every model family
// (ModelWeights.cpp for the shared weights and Mamba-1's mixer,
// Mamba2Weights.cpp for Mamba-2's) use to require a weight with its shape
// and dtype and to find what the files hold that nothing claimed.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_IMPORT_WEIGHTCHECKER_H
#define MAMBA_LIB_IMPORT_WEIGHTCHECKER_H

#include "ModelWeights.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <set>

namespace mlir::mamba::detail {

inline std::string formatShape(const std::vector<int64_t> &shape) {
  return "[" +
         llvm::join(
             llvm::map_range(shape,
                             [](int64_t size) { return std::to_string(size); }),
             ", ") +
         "]";
}

/// Collects the expected weights in order and remembers which stored names
/// were claimed.
class WeightChecker {
public:
  WeightChecker(const StoredTensors &stored, std::vector<ModelWeight> &weights,
                std::string &error, ModelFamily family)
      : stored(stored), weights(weights), error(error), family(family) {}

  /// A weight that must exist with one of `shapes` (named by `meaning`,
  /// like "[E=128, K=4]", for the message).
  void require(const std::string &name,
               const std::vector<std::vector<int64_t>> &shapes,
               const std::string &meaning, WeightRole role) {
    if (!error.empty())
      return;
    auto it = stored.find(name);
    if (it == stored.end()) {
      error = "weight '" + name + "' is missing";
      return;
    }
    claimed.insert(name);
    const StoredTensor &tensor = it->second;
    if (tensor.dtype != "F32" && tensor.dtype != "BF16" &&
        tensor.dtype != "F16" && tensor.dtype != "F64") {
      error = "weight '" + name + "' in " + tensor.file + " has dtype " +
              tensor.dtype +
              ", expected a floating-point type (F32, BF16, "
              "F16 or F64)";
      return;
    }
    if (llvm::find(shapes, tensor.shape) == shapes.end()) {
      error = "weight '" + name + "' in " + tensor.file + " has shape " +
              formatShape(tensor.shape) + ", expected " + meaning;
      return;
    }
    weights.push_back({name, tensor.shape, role});
  }

  /// A weight that exists exactly when a config flag is set.
  void flagged(const std::string &name, std::vector<int64_t> shape,
               const std::string &meaning, bool enabled, const char *flag) {
    if (enabled) {
      require(name, {std::move(shape)}, meaning, WeightRole::Compute);
      return;
    }
    if (error.empty() && stored.count(name))
      error = "weight '" + name + "' is present but the config has " + flag +
              " = false";
  }

  void markIgnored(const std::string &name) { claimed.insert(name); }

  /// Any stored tensor no expected weight claimed.
  void rejectUnclaimed() {
    if (!error.empty())
      return;
    for (const auto &[name, tensor] : stored)
      if (!claimed.count(name)) {
        error = "unexpected weight '" + name + "' in " + tensor.file +
                ": not part of a " +
                (family == ModelFamily::Mamba2 ? "Mamba-2" : "Mamba-1") +
                " model with this config";
        return;
      }
  }

private:
  const StoredTensors &stored;
  std::vector<ModelWeight> &weights;
  std::string &error;
  ModelFamily family;
  std::set<std::string> claimed;
};

inline std::string
sizes(std::initializer_list<std::pair<const char *, int64_t>> dims) {
  return "[" +
         llvm::join(llvm::map_range(dims,
                                    [](const auto &dim) {
                                      return std::string(dim.first) + "=" +
                                             std::to_string(dim.second);
                                    }),
                    ", ") +
         "]";
}

/// The mixer weights of layer `layer` of each family.
void checkMamba1MixerWeights(const ModelConfig &config, int64_t layer,
                             WeightChecker &check);
void checkMamba2MixerWeights(const ModelConfig &config, int64_t layer,
                             WeightChecker &check);

} // namespace mlir::mamba::detail

#endif // MAMBA_LIB_IMPORT_WEIGHTCHECKER_H
