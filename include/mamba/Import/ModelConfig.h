//===- ModelConfig.h - Mamba-1 model configurations -------------*- C++ -*-===//
//
// The sizes and flags of a Mamba-1 language model, read from the
// config.json of a model directory in either of the two layouts in use:
// Hugging Face transformers' MambaConfig and the original state-spaces
// (mamba_ssm) MambaConfig.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_IMPORT_MODELCONFIG_H
#define MAMBA_IMPORT_MODELCONFIG_H

#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::mamba {

/// Which config.json layout a model came with; the weight names and a few
/// defaults differ between them.
enum class ConfigLayout { HuggingFace, StateSpaces };

struct ModelConfig {
  ConfigLayout layout = ConfigLayout::HuggingFace;
  int64_t hidden = 0;     ///< D: hidden_size / d_model
  int64_t layers = 0;     ///< num_hidden_layers / n_layer
  int64_t vocab = 0;      ///< V, after state-spaces' vocabulary padding
  int64_t stateSize = 16; ///< N: state_size / ssm_cfg.d_state
  int64_t convKernel = 4; ///< K: conv_kernel / ssm_cfg.d_conv
  int64_t inner = 0;      ///< E: intermediate_size, or expand * D
  int64_t dtRank = 0;     ///< R: time_step_rank, "auto" is ceil(D / 16)
  double eps = 1e-5;      ///< layer_norm_epsilon / norm_epsilon
  bool useBias = false;   ///< in_proj and out_proj biases
  bool useConvBias = true;
  bool tieEmbeddings = true;
  bool residualInFp32 = true;
  /// torch_dtype when the config names one ("float32", "bfloat16", ...).
  std::optional<std::string> torchDtype;
};

/// Parses and checks the text of a config.json. On failure returns
/// std::nullopt and sets `error` to a message naming the field and the
/// problem (a missing required field, a wrong JSON type, a size out of
/// range, a model that is not Mamba-1).
std::optional<ModelConfig> parseModelConfig(StringRef json,
                                            std::string &error);

} // namespace mlir::mamba

#endif // MAMBA_IMPORT_MODELCONFIG_H
