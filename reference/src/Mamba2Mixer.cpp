//===- Mamba2Mixer.cpp - One Mamba-2 mixer block --------------------------===//
//
// The projections work token-major ([b, L, *]); the conv works
// channel-major ([b, channels, L]); the SSD takes x as [b, L, H, P] and B, C
// as [b, L, G, N], which are the token-major slices reshaped.
//
//===----------------------------------------------------------------------===//

#include "Mamba2Mixer.h"

#include "WeightCheck.h"
#include "mamba/Reference/CausalConv1d.h"
#include "mamba/Reference/GatedRmsNorm.h"
#include "mamba/Reference/Linear.h"

#include <cmath>

namespace mamba::reference::detail {

namespace {

const char *const kOp = "mamba2 model";

/// The split of in_proj's output and of the conv's, as offsets in the last
/// dimension.
struct Split {
  int64_t E, CC, H, GN;
  explicit Split(const Mamba2Config &c)
      : E(c.innerSize()), CC(c.convChannels()), H(c.heads),
        GN(c.groups * c.stateSize) {}
};

int64_t normGroupSize(const Mamba2Config &config) {
  return config.normPerGroup ? config.innerSize() / config.groups
                             : config.innerSize();
}

} // namespace

Mamba2MixerWeights getMamba2MixerWeights(const Mamba2Config &config,
                                         const Weights &weights,
                                         int64_t layer) {
  const int64_t D = config.hidden, E = config.innerSize(), H = config.heads;
  const int64_t CC = config.convChannels(), P = config.inProjSize();
  auto name = [&](const char *suffix) {
    return layerWeightName(layer, std::string("mixer.") + suffix);
  };
  Mamba2MixerWeights w;
  w.inProj = &requireWeight(kOp, weights, name("in_proj.weight"),
                            {{"2E+2GN+H", P}, {"D", D}});
  w.inProjBias = flaggedWeight(kOp, weights, name("in_proj.bias"),
                               {{"2E+2GN+H", P}}, config.useBias, "use_bias");
  w.convWeight = convWeightAsMatrix(kOp, weights, name("conv1d.weight"), CC,
                                    config.convKernel);
  w.convBias = flaggedWeight(kOp, weights, name("conv1d.bias"), {{"E+2GN", CC}},
                             config.useConvBias, "use_conv_bias");
  w.dtBias = &requireWeight(kOp, weights, name("dt_bias"), {{"H", H}});
  const Tensor &aLog = requireWeight(kOp, weights, name("A_log"), {{"H", H}});
  w.A = Tensor::zeros({H});
  for (int64_t h = 0; h < H; ++h)
    w.A[h] = -std::exp(aLog[h]);
  w.D = &requireWeight(kOp, weights, name("D"), {{"H", H}});
  w.norm = &requireWeight(kOp, weights, name("norm.weight"), {{"E", E}});
  w.outProj = &requireWeight(kOp, weights, name("out_proj.weight"),
                             {{"D", D}, {"E", E}});
  w.outProjBias = flaggedWeight(kOp, weights, name("out_proj.bias"), {{"D", D}},
                                config.useBias, "use_bias");
  requireWeight(kOp, weights, layerWeightName(layer, "norm.weight"),
                {{"D", D}});
  return w;
}

Tensor mamba2MixerForward(const Mamba2Config &config,
                          const Mamba2MixerWeights &w, const Tensor &hidden,
                          Mamba2LayerState *finalState) {
  checkShape("mamba2_mixer", "hidden", hidden,
             {"b", "L", {"D", config.hidden}});
  const int64_t b = hidden.dim(0), L = hidden.dim(1);
  const int64_t P = config.headDim, G = config.groups, N = config.stateSize;
  const Split s(config);

  Tensor zxbcdt = linear(hidden, *w.inProj, w.inProjBias);
  Tensor z = sliceLastDim(zxbcdt, 0, s.E);
  Tensor xBC = swapLastTwoDims(sliceLastDim(zxbcdt, s.E, s.E + s.CC));
  Tensor dt = sliceLastDim(zxbcdt, s.E + s.CC, s.E + s.CC + s.H);
  Tensor conv = swapLastTwoDims(
      causalConv1d(xBC, w.convWeight, w.convBias, Activation::SiLU));
  Tensor x = sliceLastDim(conv, 0, s.E).reshaped({b, L, s.H, P});
  Tensor B = sliceLastDim(conv, s.E, s.E + s.GN).reshaped({b, L, G, N});
  Tensor C =
      sliceLastDim(conv, s.E + s.GN, s.E + 2 * s.GN).reshaped({b, L, G, N});

  SsdScanResult scan =
      ssdScan(x, dt, w.A, B, C, w.D, /*z=*/nullptr, w.dtBias,
              /*initialStates=*/nullptr, /*seqIdx=*/nullptr, config.dt);
  Tensor y = gatedRmsNorm(scan.y.reshaped({b, L, s.E}), &z, *w.norm,
                          normGroupSize(config), config.eps);
  if (finalState) {
    finalState->conv = lastConvInputs(xBC, config.convKernel);
    finalState->ssm = std::move(scan.finalStates);
  }
  return linear(y, *w.outProj, w.outProjBias);
}

Tensor mamba2MixerStep(const Mamba2Config &config, const Mamba2MixerWeights &w,
                       const Tensor &hidden, Mamba2LayerState &state) {
  checkShape("mamba2_mixer_step", "hidden", hidden,
             {"b", {"D", config.hidden}});
  const int64_t b = hidden.dim(0);
  const int64_t P = config.headDim, G = config.groups, N = config.stateSize;
  const Split s(config);

  Tensor zxbcdt = linear(hidden, *w.inProj, w.inProjBias);
  Tensor z = sliceLastDim(zxbcdt, 0, s.E);
  Tensor dt = sliceLastDim(zxbcdt, s.E + s.CC, s.E + s.CC + s.H);
  ConvStateUpdateResult conv =
      convStateUpdate(state.conv, sliceLastDim(zxbcdt, s.E, s.E + s.CC),
                      w.convWeight, w.convBias, Activation::SiLU);
  Tensor x = sliceLastDim(conv.y, 0, s.E).reshaped({b, s.H, P});
  Tensor B = sliceLastDim(conv.y, s.E, s.E + s.GN).reshaped({b, G, N});
  Tensor C =
      sliceLastDim(conv.y, s.E + s.GN, s.E + 2 * s.GN).reshaped({b, G, N});

  SsdStepResult step = ssdStep(state.ssm, x, dt, w.A, B, C, w.D, /*z=*/nullptr,
                               w.dtBias, config.dt);
  Tensor y = gatedRmsNorm(step.y.reshaped({b, s.E}), &z, *w.norm,
                          normGroupSize(config), config.eps);
  state.conv = std::move(conv.newConvState);
  state.ssm = std::move(step.newState);
  return linear(y, *w.outProj, w.outProjBias);
}

} // namespace mamba::reference::detail
