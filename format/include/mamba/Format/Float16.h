//===- Float16.h - binary16 and bfloat16 bit patterns -----------*- C++ -*-===//
//
// The 16-bit float formats of checkpoints and kernels, to and from the host's
// floats. Shared by the safetensors reader, the weight loader and the tests.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_FLOAT16_H
#define MAMBA_FORMAT_FLOAT16_H

#include <cstdint>

namespace mamba::format {

/// Exact: both formats are subsets of double.
double halfBitsToDouble(uint16_t bits);
double bfloat16BitsToDouble(uint16_t bits);

/// Rounded to nearest even; overflow goes to infinity and a NaN stays a
/// (quiet) NaN.
uint16_t floatToHalfBits(float value);
uint16_t floatToBfloat16Bits(float value);

} // namespace mamba::format

#endif // MAMBA_FORMAT_FLOAT16_H
