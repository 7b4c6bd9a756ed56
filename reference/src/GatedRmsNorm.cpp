//===- GatedRmsNorm.cpp - Mamba-2's gated, grouped RMS norm ---------------===//

#include "mamba/Reference/GatedRmsNorm.h"

#include "ShapeCheck.h"
#include "mamba/Reference/Activation.h"

#include <cmath>

namespace mamba::reference {

using detail::checkShape;
using detail::fail;

Tensor gatedRmsNorm(const Tensor &x, const Tensor *z, const Tensor &weight,
                    int64_t groupSize, double eps) {
  const std::string op = "rms_norm_gated";
  if (x.rank() < 1)
    fail(op, "x has shape " + formatShape(x.shape()) + ", expected [..., F]");
  const int64_t F = x.dim(-1);
  checkShape(op, "weight", weight, {{"F", F}});
  if (z && z->shape() != x.shape())
    fail(op, "z has shape " + formatShape(z->shape()) +
                 ", expected the shape of x " + formatShape(x.shape()));
  if (groupSize < 1 || F % groupSize != 0)
    fail(op, "group_size is " + std::to_string(groupSize) +
                 ", expected a positive divisor of the " + std::to_string(F) +
                 " features");
  if (!(eps >= 0.0))
    fail(op, "eps is " + std::to_string(eps) + ", expected >= 0");

  Tensor y = Tensor::zeros(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    y[i] = z ? x[i] * silu((*z)[i]) : x[i];
  for (int64_t start = 0; start < x.numel(); start += groupSize) {
    double sumSquares = 0.0;
    for (int64_t i = start; i < start + groupSize; ++i)
      sumSquares += y[i] * y[i];
    const double scale = 1.0 / std::sqrt(sumSquares / groupSize + eps);
    for (int64_t i = start; i < start + groupSize; ++i)
      y[i] *= scale * weight[i % F];
  }
  return y;
}

} // namespace mamba::reference
