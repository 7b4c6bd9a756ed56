//===- Tensor.h - Dense float64 tensor for the reference ops ----*- C++ -*-===//
//
// The reference library is the test oracle, so its tensor type trades speed
// for being obviously right: a shape and a row-major vector of doubles.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_TENSOR_H
#define MAMBA_REFERENCE_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::reference {

using Shape = std::vector<int64_t>;

/// Number of elements of `shape`; throws std::invalid_argument on a negative
/// dimension or on overflow.
int64_t numElements(const Shape &shape);

/// "[2,3,4]", the spelling used in every error message of this library.
std::string formatShape(const Shape &shape);

class Tensor {
public:
  Tensor() = default;
  /// Throws std::invalid_argument when data.size() != numElements(shape).
  Tensor(Shape shape, std::vector<double> data);

  static Tensor zeros(Shape shape);

  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// Dimension `i`; negative `i` counts from the back like Python.
  int64_t dim(int64_t i) const;
  int64_t numel() const { return static_cast<int64_t>(data_.size()); }

  double &operator[](int64_t flatIndex) { return data_[flatIndex]; }
  double operator[](int64_t flatIndex) const { return data_[flatIndex]; }
  /// Bounds-checked flat access; throws std::out_of_range.
  double at(int64_t flatIndex) const;

  double *data() { return data_.data(); }
  const double *data() const { return data_.data(); }
  const std::vector<double> &values() const { return data_; }

  /// Same data, new shape with the same element count.
  Tensor reshaped(Shape newShape) const;

private:
  Shape shape_;
  std::vector<double> data_;
};

/// Elements [begin, end) of the last dimension: [..., n] -> [..., end-begin].
Tensor sliceLastDim(const Tensor &t, int64_t begin, int64_t end);

/// [..., X, Y] -> [..., Y, X]; the model code moves between the token-major
/// layout of the GEMMs and the channel-major layout of the conv and the scan.
Tensor swapLastTwoDims(const Tensor &t);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_TENSOR_H
