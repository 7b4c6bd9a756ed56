//===- HostTensor.h - Host tensors in GPU element types ---------*- C++ -*-===//
//
// Inputs are made on the host in the tensor's own element type (f32, f16 or
// bf16 bits, exactly what is uploaded) and read back as doubles, so the
// reference sees precisely the values the GPU sees.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_SUPPORT_HOSTTENSOR_H
#define MAMBA_UNITTESTS_SUPPORT_HOSTTENSOR_H

#include "mamba/Format/Encoding.h"
#include "mamba/Format/Float16.h"
#include "mamba/Format/ShapeExpr.h"
#include "mamba/Reference/Tensor.h"

#include <cstdint>
#include <vector>

namespace mamba::gpu_test {

using format::ElementType;
using format::Shape;

using format::floatToBfloat16Bits;
using format::floatToHalfBits;

class HostTensor {
public:
  HostTensor() = default;
  /// Zero-filled. Only f32, f16, bf16 (the kernels' float types) and i32
  /// (token ids) are supported.
  HostTensor(ElementType element, Shape shape);

  ElementType element() const { return element_; }
  const Shape &shape() const { return shape_; }
  int64_t numel() const { return numel_; }
  std::vector<uint8_t> &bytes() { return bytes_; }
  const std::vector<uint8_t> &bytes() const { return bytes_; }

  /// The stored value, exactly.
  double get(int64_t i) const;
  /// Stores `value` rounded to the element type (through float for f16 and
  /// bf16; the double rounding is harmless because the reference reads the
  /// stored value back with get()).
  void set(int64_t i, double value);

  reference::Tensor toReference() const;

private:
  ElementType element_ = ElementType::F32;
  Shape shape_;
  int64_t numel_ = 0;
  std::vector<uint8_t> bytes_;
};

/// ||actual - expected||_2 / ||expected||_2; infinite when `actual` has a
/// NaN or infinity, or `expected` is zero while `actual` is not.
double relativeL2Error(const std::vector<double> &actual,
                       const std::vector<double> &expected);
/// The same, reading `actual` in place: no copy of a large output as
/// doubles (mamba-tune checks every candidate's output).
double relativeL2Error(const HostTensor &actual,
                       const std::vector<double> &expected);

} // namespace mamba::gpu_test

#endif // MAMBA_UNITTESTS_SUPPORT_HOSTTENSOR_H
