//===- HostTensor.cpp - Host tensors in the element types the GPU uses ----===//

#include "HostTensor.h"

#include "mamba/Format/Float16.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mamba::gpu_test {

HostTensor::HostTensor(ElementType element, Shape shape)
    : element_(element), shape_(std::move(shape)) {
  if (element != ElementType::F32 && element != ElementType::F16 &&
      element != ElementType::BF16 && element != ElementType::I32)
    throw std::invalid_argument(std::string("HostTensor: unsupported ") +
                                format::elementTypeName(element));
  numel_ = reference::numElements(shape_);
  bytes_.assign(static_cast<size_t>(numel_) * format::elementTypeSize(element),
                0);
}

double HostTensor::get(int64_t i) const {
  const uint8_t *p = bytes_.data() + i * format::elementTypeSize(element_);
  if (element_ == ElementType::F32) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  if (element_ == ElementType::I32) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  uint16_t bits;
  std::memcpy(&bits, p, 2);
  return element_ == ElementType::F16 ? format::halfBitsToDouble(bits)
                                      : format::bfloat16BitsToDouble(bits);
}

void HostTensor::set(int64_t i, double value) {
  uint8_t *p = bytes_.data() + i * format::elementTypeSize(element_);
  float f = static_cast<float>(value);
  if (element_ == ElementType::F32) {
    std::memcpy(p, &f, 4);
    return;
  }
  if (element_ == ElementType::I32) {
    int32_t v = static_cast<int32_t>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  uint16_t bits = element_ == ElementType::F16 ? floatToHalfBits(f)
                                               : floatToBfloat16Bits(f);
  std::memcpy(p, &bits, 2);
}

reference::Tensor HostTensor::toReference() const {
  std::vector<double> values(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i)
    values[i] = get(i);
  return reference::Tensor(shape_, std::move(values));
}

namespace {

template <typename Get>
double relativeL2Error(size_t size, Get actual,
                       const std::vector<double> &expected) {
  if (size != expected.size())
    return std::numeric_limits<double>::infinity();
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < size; ++i) {
    const double a = actual(i);
    if (!std::isfinite(a))
      return std::numeric_limits<double>::infinity();
    double e = a - expected[i];
    diff += e * e;
    norm += expected[i] * expected[i];
  }
  if (norm == 0.0)
    return diff == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(diff / norm);
}

} // namespace

double relativeL2Error(const std::vector<double> &actual,
                       const std::vector<double> &expected) {
  return relativeL2Error(
      actual.size(), [&](size_t i) { return actual[i]; }, expected);
}

double relativeL2Error(const HostTensor &actual,
                       const std::vector<double> &expected) {
  return relativeL2Error(
      static_cast<size_t>(actual.numel()),
      [&](size_t i) { return actual.get(static_cast<int64_t>(i)); }, expected);
}

} // namespace mamba::gpu_test
