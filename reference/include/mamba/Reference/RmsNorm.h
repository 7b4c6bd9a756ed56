//===- RmsNorm.h - RMS normalization with a fused residual add --*- C++ -*-===//

#ifndef MAMBA_REFERENCE_RMSNORM_H
#define MAMBA_REFERENCE_RMSNORM_H

#include "mamba/Reference/Tensor.h"

namespace mamba::reference {

struct RmsNormResult {
  Tensor y;           ///< [..., D]
  Tensor residualOut; ///< [..., D]: x + residual, the next block's residual
};

/// x [..., D], weight [D], residual of x's shape:
///   r = x + residual;  y = r / sqrt(mean(r^2) + eps) * weight.
/// The residual output is r (x itself when no residual is given), which is
/// what a fused add+norm kernel hands to the next layer.
RmsNormResult rmsNorm(const Tensor &x, const Tensor &weight,
                      const Tensor *residual = nullptr, double eps = 1e-5);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_RMSNORM_H
