//===- Mamba2Mixer.h - One Mamba-2 mixer block
//-----------------------------===//
//
// mamba_ssm's Mamba2 forward and step, written with the reference ops so
// that each stage can be compared with a fused kernel.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_MAMBA2MIXER_H
#define MAMBA_REFERENCE_MAMBA2MIXER_H

#include "mamba/Reference/Mamba2Model.h"

namespace mamba::reference::detail {

/// One layer's mixer weights, validated. The pointers refer into the
/// Weights map they were taken from, which must outlive this object.
struct Mamba2MixerWeights {
  const Tensor *inProj = nullptr;      ///< [E + convChannels + H, D]
  const Tensor *inProjBias = nullptr;  ///< only with useBias
  Tensor convWeight;                   ///< [convChannels, K]
  const Tensor *convBias = nullptr;    ///< [convChannels], with useConvBias
  const Tensor *dtBias = nullptr;      ///< [H]
  Tensor A;                            ///< [H] = -exp(A_log)
  const Tensor *D = nullptr;           ///< [H]
  const Tensor *norm = nullptr;        ///< [E], the gated norm's weight
  const Tensor *outProj = nullptr;     ///< [D, E]
  const Tensor *outProjBias = nullptr; ///< only with useBias
};

Mamba2MixerWeights getMamba2MixerWeights(const Mamba2Config &config,
                                         const Weights &weights, int64_t layer);

/// hidden [b, L, D] (already normalized) -> [b, L, D]; `finalState`, when
/// given, receives the conv and SSM state after the last token.
Tensor mamba2MixerForward(const Mamba2Config &config,
                          const Mamba2MixerWeights &w, const Tensor &hidden,
                          Mamba2LayerState *finalState);

/// One decode step: hidden [b, D] -> [b, D]; `state` advances by one token.
Tensor mamba2MixerStep(const Mamba2Config &config, const Mamba2MixerWeights &w,
                       const Tensor &hidden, Mamba2LayerState &state);

} // namespace mamba::reference::detail

#endif // MAMBA_REFERENCE_MAMBA2MIXER_H
