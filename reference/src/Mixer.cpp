//===- Mixer.cpp - One Mamba-1 mixer block --------------------------------===//
//
// The projections work token-major ([b, L, *], as nn.Linear does) while the
// conv and the scan work channel-major ([b, E, L], as the mamba_ssm kernels
// do); the swaps below are the transposes of slow_forward.
//
//===----------------------------------------------------------------------===//

#include "mamba/Reference/Mixer.h"

#include "ShapeCheck.h"
#include "mamba/Reference/CausalConv1d.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/SelectiveScan.h"

namespace mamba::reference {

using detail::checkShape;

Tensor mixerForward(const ModelConfig &config, const MixerWeights &w,
                    const Tensor &hidden, LayerState *finalState) {
  int64_t D = config.hidden, E = config.innerSize(), N = config.stateSize;
  int64_t R = config.timeStepRank();
  checkShape("mixer", "hidden", hidden, {"b", "L", {"D", D}});
  int64_t b = hidden.dim(0), L = hidden.dim(1);

  Tensor xz = linear(hidden, *w.inProj, w.inProjBias);
  Tensor x = swapLastTwoDims(sliceLastDim(xz, 0, E));
  Tensor z = swapLastTwoDims(sliceLastDim(xz, E, 2 * E));
  Tensor xConv = causalConv1d(x, w.convWeight, w.convBias, Activation::SiLU);

  Tensor ssmParams = linear(swapLastTwoDims(xConv), *w.xProj);
  // dt_proj's bias is added inside the scan, before the softplus, which is
  // where the fused kernels add it; the sum is the same as slow_forward's.
  Tensor dt = swapLastTwoDims(linear(sliceLastDim(ssmParams, 0, R), *w.dtProj));
  Tensor B =
      swapLastTwoDims(sliceLastDim(ssmParams, R, R + N)).reshaped({b, 1, N, L});
  Tensor C = swapLastTwoDims(sliceLastDim(ssmParams, R + N, R + 2 * N))
                 .reshaped({b, 1, N, L});

  SelectiveScanResult scan =
      selectiveScan(xConv, dt, w.A, B, C, w.D, &z, w.dtProjBias,
                    /*initialState=*/nullptr, /*deltaSoftplus=*/true);
  if (finalState) {
    finalState->conv = lastConvInputs(x, config.convKernel);
    finalState->ssm = std::move(scan.finalState);
  }
  return linear(swapLastTwoDims(scan.y), *w.outProj, w.outProjBias);
}

Tensor mixerStep(const ModelConfig &config, const MixerWeights &w,
                 const Tensor &hidden, LayerState &state) {
  int64_t D = config.hidden, E = config.innerSize(), N = config.stateSize;
  int64_t R = config.timeStepRank();
  checkShape("mixer_step", "hidden", hidden, {"b", {"D", D}});
  int64_t b = hidden.dim(0);

  Tensor xz = linear(hidden, *w.inProj, w.inProjBias);
  Tensor z = sliceLastDim(xz, E, 2 * E);
  ConvStateUpdateResult conv =
      convStateUpdate(state.conv, sliceLastDim(xz, 0, E), w.convWeight,
                      w.convBias, Activation::SiLU);

  Tensor ssmParams = linear(conv.y, *w.xProj);
  Tensor dt = linear(sliceLastDim(ssmParams, 0, R), *w.dtProj);
  Tensor B = sliceLastDim(ssmParams, R, R + N).reshaped({b, 1, N});
  Tensor C = sliceLastDim(ssmParams, R + N, R + 2 * N).reshaped({b, 1, N});

  SelectiveStateUpdateResult step =
      selectiveStateUpdate(state.ssm, conv.y, dt, w.A, B, C, w.D, &z,
                           w.dtProjBias, /*deltaSoftplus=*/true);
  state.conv = std::move(conv.newConvState);
  state.ssm = std::move(step.newState);
  return linear(step.y, *w.outProj, w.outProjBias);
}

} // namespace mamba::reference
