//===- Model.h - Mamba-1 LM in the Hugging Face layout ----------*- C++ -*-===//
//
// MambaForCausalLM as in Hugging Face transformers: embeddings, then per layer
// h = h + mixer(rms_norm(h)), then norm_f and lm_head. Weights are looked up
// by their Hugging Face names ("backbone.layers.0.mixer.in_proj.weight", ...).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_MODEL_H
#define MAMBA_REFERENCE_MODEL_H

#include "mamba/Reference/Greedy.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Reference/Weights.h"

#include <string>
#include <vector>

namespace mamba::reference {

/// The fields of a Hugging Face MambaConfig that change the math.
struct ModelConfig {
  int64_t hidden = 0;        ///< hidden_size, D
  int64_t layers = 0;        ///< num_hidden_layers
  int64_t vocab = 0;         ///< vocab_size, V
  int64_t stateSize = 16;    ///< state_size, N
  int64_t convKernel = 4;    ///< conv_kernel, K
  int64_t expand = 2;        ///< used when intermediate is 0
  int64_t intermediate = 0;  ///< intermediate_size, E; 0 means expand * D
  int64_t dtRank = 0;        ///< time_step_rank, R; 0 means "auto": ceil(D/16)
  double eps = 1e-5;         ///< layer_norm_epsilon
  bool useBias = false;      ///< in_proj and out_proj biases
  bool useConvBias = true;   ///< conv1d bias
  bool tieEmbeddings = true; ///< lm_head is the embedding table

  int64_t innerSize() const {
    return intermediate > 0 ? intermediate : expand * hidden;
  }
  int64_t timeStepRank() const {
    return dtRank > 0 ? dtRank : (hidden + 15) / 16;
  }
};

/// Throws std::invalid_argument on a non-positive size or negative eps.
void validateConfig(const ModelConfig &config);

/// Checks that every weight the config needs is present with the right shape,
/// and that no bias the config disables is present (a sign that the config
/// was misread). Throws std::invalid_argument naming the weight.
void validateWeights(const ModelConfig &config, const Weights &weights);

/// Full prefill: logits [b, L, V].
Tensor forward(const ModelConfig &config, const Weights &weights,
               const TokenBatch &ids);

/// What one layer carries from one token to the next.
struct LayerState {
  Tensor conv; ///< [b, E, K]: the last K conv inputs, oldest first
  Tensor ssm;  ///< [b, E, N]
};

struct DecodeState {
  std::vector<LayerState> layers;
};

struct PrefillResult {
  Tensor logits; ///< [b, L, V]
  DecodeState state;
};

/// forward() that also returns the state after the last prompt token.
PrefillResult prefill(const ModelConfig &config, const Weights &weights,
                      const TokenBatch &ids);

/// Feeds one token per sequence (ids [b]) and returns logits [b, V];
/// `state` advances by one token.
Tensor decodeStep(const ModelConfig &config, const Weights &weights,
                  DecodeState &state, const std::vector<int64_t> &ids);

/// Greedy decoding with prefill + decodeStep; returns the `newTokens` new
/// tokens of each sequence, [b][newTokens]. The prompt must be non-empty.
TokenBatch greedyGenerate(const ModelConfig &config, const Weights &weights,
                          const TokenBatch &prompt, int64_t newTokens);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_MODEL_H
