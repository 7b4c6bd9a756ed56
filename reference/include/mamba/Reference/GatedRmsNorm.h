//===- GatedRmsNorm.h - Mamba-2's gated, grouped RMS norm -------*- C++ -*-===//
//
// mamba_ssm's RMSNormGated with norm_before_gate=False, the norm the
// Mamba-2 mixer applies to the scan's output: the output is gated by
// silu(z) first, then normalized over groups of `groupSize` features
// (d_inner / n_groups in the models), then scaled by the weight.
// transformers' Mamba2 normalizes over all features at once, which is
// groupSize = the feature count.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_GATEDRMSNORM_H
#define MAMBA_REFERENCE_GATEDRMSNORM_H

#include "mamba/Reference/Tensor.h"

namespace mamba::reference {

/// x, z [..., F]; weight [F]; groupSize divides F:
///   g = x * silu(z)   (g = x without z)
///   y = g / sqrt(mean over the group of g^2 + eps) * weight
/// Throws std::invalid_argument on a shape mismatch, a group size that does
/// not divide F, or a negative eps.
Tensor gatedRmsNorm(const Tensor &x, const Tensor *z, const Tensor &weight,
                    int64_t groupSize, double eps = 1e-5);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_GATEDRMSNORM_H
