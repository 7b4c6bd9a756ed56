//===- Mamba2Model.h - Mamba-2 LM in the Hugging Face layout ----*- C++ -*-===//
//
// Mamba2ForCausalLM: embeddings, then per layer h = h + mixer(rms_norm(h)),
// then norm_f and lm_head, with mamba_ssm's Mamba2 mixer: in_proj to
// [z, xBC, dt]; the depthwise causal conv and SiLU over xBC; the SSD over
// x split into heads with B and C per group; the gated RMS norm per group
// (rmsnorm(y * silu(z)) over d_inner / n_groups features, as the models
// were trained; transformers' class normalizes over all of d_inner, which
// differs when n_groups > 1: `normPerGroup = false` gives that); out_proj.
// Weights are looked up by their Hugging Face names.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_MAMBA2MODEL_H
#define MAMBA_REFERENCE_MAMBA2MODEL_H

#include "mamba/Reference/Greedy.h"
#include "mamba/Reference/SsdScan.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Reference/Weights.h"

#include <string>
#include <vector>

namespace mamba::reference {

/// The fields of a Hugging Face Mamba2Config that change the math.
struct Mamba2Config {
  int64_t hidden = 0;      ///< hidden_size, D
  int64_t layers = 0;      ///< num_hidden_layers
  int64_t vocab = 0;       ///< vocab_size, V
  int64_t stateSize = 128; ///< state_size, N
  int64_t convKernel = 4;  ///< conv_kernel, K
  int64_t expand = 2;      ///< d_inner E = expand * D
  int64_t headDim = 64;    ///< head_dim, P
  int64_t heads = 0;       ///< num_heads, H; must be E / P
  int64_t groups = 1;      ///< n_groups, G; divides H
  int64_t chunkSize = 256; ///< chunk_size (the math does not depend on it)
  double eps = 1e-5;       ///< layer_norm_epsilon
  bool useBias = false;    ///< in_proj and out_proj biases
  bool useConvBias = true; ///< conv1d bias
  bool tieEmbeddings = true;
  bool normPerGroup = true; ///< see the file comment
  DtOptions dt{true, 0.0, std::numeric_limits<double>::infinity()};
  ///< softplus on; time_step_limit

  int64_t innerSize() const { return expand * hidden; }
  /// xBC: the conv's channels.
  int64_t convChannels() const { return innerSize() + 2 * groups * stateSize; }
  /// [z, xBC, dt]
  int64_t inProjSize() const { return innerSize() + convChannels() + heads; }
};

/// Throws std::invalid_argument naming the field that is out of range or
/// inconsistent (heads * head_dim != expand * hidden, groups not dividing
/// heads, ...).
void validateMamba2Config(const Mamba2Config &config);

/// Checks every weight the config needs, by name and shape; throws
/// std::invalid_argument naming the weight.
void validateMamba2Weights(const Mamba2Config &config, const Weights &weights);

/// What one layer carries from one token to the next.
struct Mamba2LayerState {
  Tensor conv; ///< [b, convChannels, K]: the last K conv inputs, oldest first
  Tensor ssm;  ///< [b, H, P, N]
};

struct Mamba2State {
  std::vector<Mamba2LayerState> layers;
};

struct Mamba2PrefillResult {
  Tensor logits; ///< [b, L, V]
  Mamba2State state;
};

/// Full prefill: logits [b, L, V], and the state after the last token.
Mamba2PrefillResult mamba2Prefill(const Mamba2Config &config,
                                  const Weights &weights,
                                  const TokenBatch &ids);

/// Feeds one token per sequence (ids [b]) and returns logits [b, V];
/// `state` advances by one token (and is left as it was on an error).
Tensor mamba2DecodeStep(const Mamba2Config &config, const Weights &weights,
                        Mamba2State &state, const std::vector<int64_t> &ids);

/// Greedy decoding with prefill and decode steps: [b][newTokens].
TokenBatch mamba2GreedyGenerate(const Mamba2Config &config,
                                const Weights &weights,
                                const TokenBatch &prompt, int64_t newTokens);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_MAMBA2MODEL_H
