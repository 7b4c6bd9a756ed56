//===- ModelConfig.h - Mamba-1 and Mamba-2 model configurations -*- C++ -*-===//
//
// The sizes and flags of a Mamba-1 or Mamba-2 language model, read from the
// config.json of a model directory in either of the two layouts in use:
// Hugging Face transformers' MambaConfig / Mamba2Config and the original
// state-spaces (mamba_ssm) MambaConfig, whose ssm_cfg.layer names the
// block.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_IMPORT_MODELCONFIG_H
#define MAMBA_IMPORT_MODELCONFIG_H

#include "mlir/Support/LLVM.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

namespace mlir::mamba {

/// Which config.json layout a model came with; the weight names and a few
/// defaults differ between them.
enum class ConfigLayout { HuggingFace, StateSpaces };

/// Which block the layers are: MambaForCausalLM or Mamba2ForCausalLM.
enum class ModelFamily { Mamba1, Mamba2 };

struct ModelConfig {
  ConfigLayout layout = ConfigLayout::HuggingFace;
  ModelFamily family = ModelFamily::Mamba1;
  int64_t hidden = 0;     ///< D: hidden_size / d_model
  int64_t layers = 0;     ///< num_hidden_layers / n_layer
  int64_t vocab = 0;      ///< V, after state-spaces' vocabulary padding
  int64_t stateSize = 16; ///< N: state_size / ssm_cfg.d_state
  int64_t convKernel = 4; ///< K: conv_kernel / ssm_cfg.d_conv
  int64_t inner = 0;      ///< E: intermediate_size, or expand * D
  int64_t dtRank = 0;     ///< R: time_step_rank, "auto" is ceil(D / 16)
                          ///< (Mamba-1 only)
  double eps = 1e-5;      ///< layer_norm_epsilon / norm_epsilon
  bool useBias = false;   ///< in_proj and out_proj biases
  bool useConvBias = true;
  bool tieEmbeddings = true;
  bool residualInFp32 = true;
  /// torch_dtype when the config names one ("float32", "bfloat16", ...).
  std::optional<std::string> torchDtype;

  // Mamba-2 only.
  int64_t heads = 0;       ///< H: num_heads, or E / headdim
  int64_t headDim = 0;     ///< P: head_dim / headdim; H * P = E
  int64_t groups = 1;      ///< G: n_groups / ngroups
  int64_t chunkSize = 256; ///< chunk_size of the SSD's chunked algorithm
  double dtMin = 0.0;      ///< time_step_limit / dt_limit
  double dtMax = INFINITY;
  bool dPerChannel = false; ///< D is [E] (D_has_hdim), not [H]
  /// The gated norm's epsilon: layer_norm_epsilon in transformers,
  /// mamba_ssm's fixed 1e-5 in its layout.
  double gatedNormEps = 1e-5;
};

/// Parses and checks the text of a config.json. On failure returns
/// std::nullopt and sets `error` to a message naming the field and the
/// problem (a missing required field, a wrong JSON type, a size out of
/// range, a model that is neither Mamba-1 nor Mamba-2, or a Mamba-2 variant
/// the kernels do not run).
std::optional<ModelConfig> parseModelConfig(StringRef json, std::string &error);

} // namespace mlir::mamba

#endif // MAMBA_IMPORT_MODELCONFIG_H
