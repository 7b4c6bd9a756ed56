//===- Float16.cpp - binary16 and bfloat16 bit patterns -------------------===//

#include "mamba/Format/Float16.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace mamba::format {

namespace {

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

float bitsFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

} // namespace

double halfBitsToDouble(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent == 0) // Zero or subnormal: no implicit leading one.
    magnitude = std::ldexp(mantissa, -24);
  else if (exponent == 0x1f)
    magnitude = mantissa ? std::numeric_limits<double>::quiet_NaN()
                         : std::numeric_limits<double>::infinity();
  else
    magnitude = std::ldexp(mantissa | 0x400, exponent - 25);
  return (bits & 0x8000) ? -magnitude : magnitude;
}

double bfloat16BitsToDouble(uint16_t bits) {
  // bfloat16 is the top half of a binary32.
  return bitsFloat(static_cast<uint32_t>(bits) << 16);
}

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

} // namespace mamba::format
