//===- HostTensor.cpp - Host tensors in the element types the GPU uses ----===//

#include "HostTensor.h"

#include "mamba/Runtime/SafeTensors.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mamba::gpu_test {

namespace {

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

} // namespace

uint16_t floatToHalfBits(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude >= 0x7f800000) // NaN (kept quiet) or infinity
    return sign | (magnitude > 0x7f800000 ? 0x7e00 : 0x7c00);
  // 65520 is halfway between 65504, the largest half, and 2^16; the tie
  // goes to the even neighbour, which is infinity.
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;
  if (magnitude < 0x38800000) {
    // Below 2^-14 the result is subnormal: a multiple of 2^-24. Scaling by
    // 2^24 is exact, and nearbyint rounds to nearest even; 1024 comes out as
    // the bits of 2^-14, the smallest normal, as it should.
    float scaled = std::fabs(value) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t exponent = (magnitude >> 23) - 127 + 15;
  uint32_t mantissa = magnitude & 0x7fffff;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent.
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return sign | static_cast<uint16_t>(half);
}

uint16_t floatToBfloat16Bits(float value) {
  uint32_t bits = floatBits(value);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t roundingBias = 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

HostTensor::HostTensor(ElementType element, Shape shape)
    : element_(element), shape_(std::move(shape)) {
  if (element != ElementType::F32 && element != ElementType::F16 &&
      element != ElementType::BF16 && element != ElementType::I32)
    throw std::invalid_argument(std::string("HostTensor: unsupported ") +
                                runtime::elementTypeName(element));
  numel_ = reference::numElements(shape_);
  bytes_.assign(static_cast<size_t>(numel_) * runtime::elementTypeSize(element),
                0);
}

double HostTensor::get(int64_t i) const {
  const uint8_t *p = bytes_.data() + i * runtime::elementTypeSize(element_);
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
  return element_ == ElementType::F16 ? runtime::halfBitsToDouble(bits)
                                      : runtime::bfloat16BitsToDouble(bits);
}

void HostTensor::set(int64_t i, double value) {
  uint8_t *p = bytes_.data() + i * runtime::elementTypeSize(element_);
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

double relativeL2Error(const std::vector<double> &actual,
                       const std::vector<double> &expected) {
  if (actual.size() != expected.size())
    return std::numeric_limits<double>::infinity();
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!std::isfinite(actual[i]))
      return std::numeric_limits<double>::infinity();
    double e = actual[i] - expected[i];
    diff += e * e;
    norm += expected[i] * expected[i];
  }
  if (norm == 0.0)
    return diff == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(diff / norm);
}

} // namespace mamba::gpu_test
