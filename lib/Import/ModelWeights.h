//===- ModelWeights.h - The weights a model directory must hold -*- C++ -*-===//
//
// Internal to the importer: finds every tensor of a model directory's
// *.safetensors files (one file or shards) and checks them against the
// weights the config implies, before any IR is built.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_IMPORT_MODELWEIGHTS_H
#define MAMBA_LIB_IMPORT_MODELWEIGHTS_H

#include "mamba/Import/ModelConfig.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::mamba {

/// One tensor as stored.
struct StoredTensor {
  std::string file;  ///< the .safetensors file it is in
  std::string dtype; ///< safetensors spelling: "F32", "BF16", ...
  std::vector<int64_t> shape;
};

/// Every tensor of the directory by name.
using StoredTensors = std::map<std::string, StoredTensor>;

/// Reads the headers of every *.safetensors file in `directory` (sorted by
/// file name; the data is not read). Fails, with `error` naming the file,
/// when there is none, when a file is not a valid safetensors file (a
/// truncated download, say), or when two files hold the same name.
bool readStoredTensors(const std::string &directory, StoredTensors &tensors,
                       std::string &error);

/// What a weight feeds: a GEMM or a norm (converted to the compute type) or
/// the recurrence (kept in f32).
enum class WeightRole { Compute, Float32 };

/// A weight the model's functions take, in the order they take them.
struct ModelWeight {
  std::string name;
  std::vector<int64_t> shape; ///< as stored (conv1d.weight may be [E, 1, K])
  WeightRole role = WeightRole::Compute;
};

/// The model's weights, checked against `stored`: every weight the config
/// needs is present with a floating-point dtype and its shape, a bias the
/// config disables is absent, and nothing else is in the files (except an
/// lm_head.weight next to tied embeddings, which transformers ignores too).
/// The embedding table is the first entry.
bool expectedWeights(const ModelConfig &config, const StoredTensors &stored,
                     std::vector<ModelWeight> &weights, std::string &error);

/// Names of the per-layer weights, as in the files.
std::string layerWeightName(int64_t layer, const std::string &suffix);

} // namespace mlir::mamba

#endif // MAMBA_LIB_IMPORT_MODELWEIGHTS_H
