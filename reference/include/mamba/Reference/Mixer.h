//===- Mixer.h - One Mamba-1 mixer block ------------------------*- C++ -*-===//
//
// MambaMixer.slow_forward of Hugging Face transformers, written with the
// reference ops so that each stage can be compared with a fused kernel.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_MIXER_H
#define MAMBA_REFERENCE_MIXER_H

#include "mamba/Reference/Model.h"

namespace mamba::reference {

/// One layer's mixer weights, validated. The pointers refer into the Weights
/// map they were taken from, which must outlive this object.
struct MixerWeights {
  const Tensor *inProj = nullptr;      ///< [2E, D]
  const Tensor *inProjBias = nullptr;  ///< [2E], only with useBias
  Tensor convWeight;                   ///< [E, K] (the file has [E, 1, K])
  const Tensor *convBias = nullptr;    ///< [E], only with useConvBias
  const Tensor *xProj = nullptr;       ///< [R + 2N, E]
  const Tensor *dtProj = nullptr;      ///< [E, R]
  const Tensor *dtProjBias = nullptr;  ///< [E]
  Tensor A;                            ///< [E, N] = -exp(A_log)
  const Tensor *D = nullptr;           ///< [E]
  const Tensor *outProj = nullptr;     ///< [D, E]
  const Tensor *outProjBias = nullptr; ///< [D], only with useBias
};

/// Looks up and validates layer `layer`'s mixer weights; throws
/// std::invalid_argument naming a missing or misshapen weight.
MixerWeights getMixerWeights(const ModelConfig &config, const Weights &weights,
                             int64_t layer);

/// hidden [b, L, D] (already normalized) -> [b, L, D]. When `finalState` is
/// given, it receives the conv and SSM state after the last token.
Tensor mixerForward(const ModelConfig &config, const MixerWeights &w,
                    const Tensor &hidden, LayerState *finalState = nullptr);

/// One decode step: hidden [b, D] -> [b, D]; `state` advances by one token.
Tensor mixerStep(const ModelConfig &config, const MixerWeights &w,
                 const Tensor &hidden, LayerState &state);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_MIXER_H
