//===- RmsNorm.cpp - RMS normalization with a fused residual add ----------===//

#include "mamba/Reference/RmsNorm.h"

#include "ShapeCheck.h"

#include <cmath>

namespace mamba::reference {

using detail::checkShape;
using detail::fail;

RmsNormResult rmsNorm(const Tensor &x, const Tensor &weight,
                      const Tensor *residual, double eps) {
  const std::string op = "rms_norm";
  if (x.rank() < 1)
    fail(op, "x has shape " + formatShape(x.shape()) + ", expected [..., D]");
  int64_t D = x.dim(-1);
  checkShape(op, "weight", weight, {{"D", D}});
  if (residual && residual->shape() != x.shape())
    fail(op, "residual has shape " + formatShape(residual->shape()) +
                 ", expected the shape of x " + formatShape(x.shape()));
  if (!(eps >= 0.0))
    fail(op, "eps is " + std::to_string(eps) + ", expected >= 0");

  RmsNormResult result{Tensor::zeros(x.shape()), x};
  Tensor &r = result.residualOut;
  if (residual)
    for (int64_t i = 0; i < r.numel(); ++i)
      r[i] += (*residual)[i];
  int64_t rows = D ? x.numel() / D : 0;
  for (int64_t row = 0; row < rows; ++row) {
    const double *in = r.data() + row * D;
    double sumSquares = 0.0;
    for (int64_t i = 0; i < D; ++i)
      sumSquares += in[i] * in[i];
    double scale = 1.0 / std::sqrt(sumSquares / D + eps);
    for (int64_t i = 0; i < D; ++i)
      result.y[row * D + i] = in[i] * scale * weight[i];
  }
  return result;
}

} // namespace mamba::reference
