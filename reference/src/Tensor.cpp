//===- Tensor.cpp - Dense float64 tensor for the reference ops ------------===//

#include "mamba/Reference/Tensor.h"

#include <sstream>
#include <stdexcept>

namespace mamba::reference {

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw std::invalid_argument("tensor shape " + formatShape(shape) +
                                  " has a negative dimension");
    if (__builtin_mul_overflow(n, d, &n))
      throw std::invalid_argument("tensor shape " + formatShape(shape) +
                                  " has too many elements");
  }
  return n;
}

std::string formatShape(const Shape &shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? "," : "") << shape[i];
  os << ']';
  return os.str();
}

Tensor::Tensor(Shape shape, std::vector<double> data)
    : shape_(std::move(shape)), data_(std::move(data)) {
  int64_t n = numElements(shape_);
  if (static_cast<int64_t>(data_.size()) != n)
    throw std::invalid_argument(
        "tensor of shape " + formatShape(shape_) + " needs " +
        std::to_string(n) + " elements, got " + std::to_string(data_.size()));
}

Tensor Tensor::zeros(Shape shape) {
  int64_t n = numElements(shape);
  return Tensor(std::move(shape), std::vector<double>(n, 0.0));
}

int64_t Tensor::dim(int64_t i) const {
  int64_t r = rank();
  if (i < -r || i >= r)
    throw std::out_of_range("dimension " + std::to_string(i) +
                            " of a tensor of shape " + formatShape(shape_));
  return shape_[i < 0 ? i + r : i];
}

double Tensor::at(int64_t flatIndex) const {
  if (flatIndex < 0 || flatIndex >= numel())
    throw std::out_of_range("flat index " + std::to_string(flatIndex) +
                            " in a tensor of shape " + formatShape(shape_));
  return data_[flatIndex];
}

Tensor Tensor::reshaped(Shape newShape) const {
  if (numElements(newShape) != numel())
    throw std::invalid_argument("cannot reshape " + formatShape(shape_) +
                                " to " + formatShape(newShape));
  return Tensor(std::move(newShape), data_);
}

Tensor sliceLastDim(const Tensor &t, int64_t begin, int64_t end) {
  if (t.rank() < 1)
    throw std::invalid_argument("sliceLastDim: needs rank >= 1, got shape " +
                                formatShape(t.shape()));
  int64_t n = t.dim(-1);
  if (begin < 0 || end < begin || end > n)
    throw std::invalid_argument(
        "sliceLastDim: range [" + std::to_string(begin) + "," +
        std::to_string(end) + ") out of shape " + formatShape(t.shape()));
  Shape shape = t.shape();
  shape.back() = end - begin;
  Tensor out = Tensor::zeros(shape);
  int64_t rows = n ? t.numel() / n : 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = begin; i < end; ++i)
      out[r * (end - begin) + (i - begin)] = t[r * n + i];
  return out;
}

Tensor swapLastTwoDims(const Tensor &t) {
  if (t.rank() < 2)
    throw std::invalid_argument("swapLastTwoDims: needs rank >= 2, got shape " +
                                formatShape(t.shape()));
  int64_t x = t.dim(-2), y = t.dim(-1);
  Shape shape = t.shape();
  std::swap(shape[shape.size() - 2], shape.back());
  Tensor out = Tensor::zeros(shape);
  int64_t batches = x != 0 && y != 0 ? t.numel() / (x * y) : 0;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t i = 0; i < x; ++i)
      for (int64_t j = 0; j < y; ++j)
        out[(b * y + j) * x + i] = t[(b * x + i) * y + j];
  return out;
}

} // namespace mamba::reference
