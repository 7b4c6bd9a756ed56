//===- Linear.cpp - Dense projections and the token embedding -------------===//

#include "mamba/Reference/Linear.h"

#include "ShapeCheck.h"

namespace mamba::reference {

using detail::checkOptionalShape;
using detail::checkShape;
using detail::fail;

Tensor linear(const Tensor &x, const Tensor &weight, const Tensor *bias) {
  const std::string op = "linear";
  if (x.rank() < 1)
    fail(op, "x has shape " + formatShape(x.shape()) + ", expected [..., K]");
  int64_t K = x.dim(-1);
  checkShape(op, "weight", weight, {"N", {"K", K}});
  int64_t N = weight.dim(0);
  checkOptionalShape(op, "bias", bias, {{"N", N}});

  Shape outShape = x.shape();
  outShape.back() = N;
  Tensor y = Tensor::zeros(outShape);
  int64_t rows = numElements(Shape(x.shape().begin(), x.shape().end() - 1));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t n = 0; n < N; ++n) {
      double acc = bias ? (*bias)[n] : 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += x[r * K + k] * weight[n * K + k];
      y[r * N + n] = acc;
    }
  }
  return y;
}

Tensor embedding(const Tensor &table, const std::vector<int64_t> &ids,
                 const Shape &idsShape) {
  const std::string op = "embedding";
  checkShape(op, "table", table, {"V", "D"});
  int64_t V = table.dim(0), D = table.dim(1);
  if (numElements(idsShape) != static_cast<int64_t>(ids.size()))
    fail(op, "ids has " + std::to_string(ids.size()) + " elements, expected " +
                 std::to_string(numElements(idsShape)) + " for shape " +
                 formatShape(idsShape));

  Shape outShape = idsShape;
  outShape.push_back(D);
  Tensor out = Tensor::zeros(outShape);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= V)
      fail(op, "id " + std::to_string(ids[i]) + " at position " +
                   std::to_string(i) + " is outside the vocabulary [0, " +
                   std::to_string(V) + ")");
    for (int64_t j = 0; j < D; ++j)
      out[i * D + j] = table[ids[i] * D + j];
  }
  return out;
}

} // namespace mamba::reference
