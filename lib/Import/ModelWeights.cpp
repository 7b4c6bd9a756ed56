//===- ModelWeights.cpp - Find and check a model directory's weights ------===//
//
// Checkpoints come from outside the project, so the checks are strict and
// every message names the weight, the file and what was expected: a model
// compiled against a misread checkpoint would run and print nonsense.
//
//===----------------------------------------------------------------------===//

#include "ModelWeights.h"
#include "WeightChecker.h"

#include "mamba/Format/SafeTensors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <set>

using namespace mlir;
using namespace mlir::mamba;
using namespace mlir::mamba::detail;

std::string mlir::mamba::layerWeightName(int64_t layer,
                                         const std::string &suffix) {
  return "backbone.layers." + std::to_string(layer) + "." + suffix;
}

bool mlir::mamba::readStoredTensors(const std::string &directory,
                                    StoredTensors &tensors,
                                    std::string &error) {
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(directory, ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".safetensors")
      files.push_back(it->path());
  if (ec) {
    error = "cannot list " + directory + ": " + ec.message();
    return false;
  }
  if (files.empty()) {
    error = "no *.safetensors file in " + directory;
    return false;
  }
  std::sort(files.begin(), files.end());

  tensors.clear();
  for (const std::string &path : files) {
    ::mamba::format::SafeTensorsFile file;
    if (!file.load(path, error))
      return false;
    for (const ::mamba::format::TensorInfo &info : file.tensors()) {
      StoredTensor stored{path, ::mamba::format::dtypeName(info.dtype),
                          info.shape};
      auto [it, inserted] = tensors.emplace(info.name, std::move(stored));
      if (!inserted) {
        error = "weight '" + info.name + "' is in both " + it->second.file +
                " and " + path;
        return false;
      }
    }
  }
  return true;
}

void mlir::mamba::detail::checkMamba1MixerWeights(const ModelConfig &config,
                                                  int64_t layer,
                                                  WeightChecker &check) {
  int64_t D = config.hidden, E = config.inner;
  int64_t N = config.stateSize, K = config.convKernel, R = config.dtRank;
  constexpr WeightRole compute = WeightRole::Compute;
  constexpr WeightRole f32 = WeightRole::Float32;
  auto mixer = [&](const char *suffix) {
    return layerWeightName(layer, std::string("mixer.") + suffix);
  };
  check.require(mixer("in_proj.weight"), {{2 * E, D}},
                sizes({{"2E", 2 * E}, {"D", D}}), compute);
  check.flagged(mixer("in_proj.bias"), {2 * E}, sizes({{"2E", 2 * E}}),
                config.useBias, "use_bias");
  // PyTorch stores the depthwise conv as [E, 1, K]; converted checkpoints
  // sometimes squeeze it.
  check.require(mixer("conv1d.weight"), {{E, 1, K}, {E, K}},
                sizes({{"E", E}, {"1", 1}, {"K", K}}) + " or " +
                    sizes({{"E", E}, {"K", K}}),
                compute);
  check.flagged(mixer("conv1d.bias"), {E}, sizes({{"E", E}}),
                config.useConvBias, "use_conv_bias");
  check.require(mixer("x_proj.weight"), {{R + 2 * N, E}},
                sizes({{"R+2N", R + 2 * N}, {"E", E}}), compute);
  check.require(mixer("dt_proj.weight"), {{E, R}}, sizes({{"E", E}, {"R", R}}),
                compute);
  check.require(mixer("dt_proj.bias"), {{E}}, sizes({{"E", E}}), f32);
  check.require(mixer("A_log"), {{E, N}}, sizes({{"E", E}, {"N", N}}), f32);
  check.require(mixer("D"), {{E}}, sizes({{"E", E}}), f32);
  check.require(mixer("out_proj.weight"), {{D, E}}, sizes({{"D", D}, {"E", E}}),
                compute);
  check.flagged(mixer("out_proj.bias"), {D}, sizes({{"D", D}}), config.useBias,
                "use_bias");
}

bool mlir::mamba::expectedWeights(const ModelConfig &config,
                                  const StoredTensors &stored,
                                  std::vector<ModelWeight> &weights,
                                  std::string &error) {
  error.clear();
  weights.clear();
  int64_t D = config.hidden, V = config.vocab;
  WeightChecker check(stored, weights, error, config.family);
  constexpr WeightRole compute = WeightRole::Compute;

  // transformers calls the table "embeddings", mamba_ssm "embedding".
  const std::string hfEmbedding = "backbone.embeddings.weight";
  const std::string ssEmbedding = "backbone.embedding.weight";
  bool hasHf = stored.count(hfEmbedding), hasSs = stored.count(ssEmbedding);
  if (hasHf && hasSs) {
    error = "both '" + hfEmbedding + "' and '" + ssEmbedding +
            "' are present: expected one embedding table";
    return false;
  }
  if (!hasHf && !hasSs) {
    error =
        "weight '" + hfEmbedding + "' (or '" + ssEmbedding + "') is missing";
    return false;
  }
  check.require(hasHf ? hfEmbedding : ssEmbedding, {{V, D}},
                sizes({{"V", V}, {"D", D}}), compute);

  for (int64_t layer = 0; layer < config.layers; ++layer) {
    check.require(layerWeightName(layer, "norm.weight"), {{D}},
                  sizes({{"D", D}}), compute);
    if (config.family == ModelFamily::Mamba2)
      checkMamba2MixerWeights(config, layer, check);
    else
      checkMamba1MixerWeights(config, layer, check);
  }
  check.require("backbone.norm_f.weight", {{D}}, sizes({{"D", D}}), compute);
  // With tied embeddings transformers ignores a stored lm_head.weight.
  if (config.tieEmbeddings)
    check.markIgnored("lm_head.weight");
  else
    check.require("lm_head.weight", {{V, D}}, sizes({{"V", V}, {"D", D}}),
                  compute);
  check.rejectUnclaimed();
  return error.empty();
}
