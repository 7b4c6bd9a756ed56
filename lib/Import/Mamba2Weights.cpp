//===- Mamba2Weights.cpp - A Mamba-2 mixer's weights
//-----------------------===//
//
// The weights of one Mamba2Mixer as transformers and mamba_ssm store them
// (the same names in both): in_proj produces [z | x | B | C | dt], the
// depthwise conv covers x, B and C, and the norm is the gated RMSNorm.
//
//===----------------------------------------------------------------------===//

#include "WeightChecker.h"

using namespace mlir;
using namespace mlir::mamba;
using namespace mlir::mamba::detail;

void mlir::mamba::detail::checkMamba2MixerWeights(const ModelConfig &config,
                                                  int64_t layer,
                                                  WeightChecker &check) {
  const int64_t D = config.hidden, E = config.inner, H = config.heads;
  const int64_t GN = config.groups * config.stateSize, K = config.convKernel;
  const int64_t C = E + 2 * GN, in = E + C + H;
  constexpr WeightRole compute = WeightRole::Compute;
  constexpr WeightRole f32 = WeightRole::Float32;
  auto mixer = [&](const char *suffix) {
    return layerWeightName(layer, std::string("mixer.") + suffix);
  };
  check.require(mixer("in_proj.weight"), {{in, D}},
                sizes({{"2E+2GN+H", in}, {"D", D}}), compute);
  check.flagged(mixer("in_proj.bias"), {in}, sizes({{"2E+2GN+H", in}}),
                config.useBias, "use_bias");
  check.require(mixer("conv1d.weight"), {{C, 1, K}, {C, K}},
                sizes({{"E+2GN", C}, {"1", 1}, {"K", K}}) + " or " +
                    sizes({{"E+2GN", C}, {"K", K}}),
                compute);
  check.flagged(mixer("conv1d.bias"), {C}, sizes({{"E+2GN", C}}),
                config.useConvBias, "use_conv_bias");
  check.require(mixer("dt_bias"), {{H}}, sizes({{"H", H}}), f32);
  check.require(mixer("A_log"), {{H}}, sizes({{"H", H}}), f32);
  // mamba_ssm's D_has_hdim stores D per channel, flattened to [E].
  if (config.dPerChannel)
    check.require(mixer("D"), {{E}}, sizes({{"E", E}}), f32);
  else
    check.require(mixer("D"), {{H}}, sizes({{"H", H}}), f32);
  check.require(mixer("norm.weight"), {{E}}, sizes({{"E", E}}), compute);
  check.require(mixer("out_proj.weight"), {{D, E}}, sizes({{"D", D}, {"E", E}}),
                compute);
  check.flagged(mixer("out_proj.bias"), {D}, sizes({{"D", D}}), config.useBias,
                "use_bias");
}
