//===- CpuGemvBf16.cpp - One token's bf16 GEMM, weights read once ---------===//
//
// The runtime is built for the x86-64 baseline; the AVX2 form is compiled
// for its own target and chosen at run time, as the kernels' images are.
//
//===----------------------------------------------------------------------===//

#include "mamba/Runtime/Cpu/GemvBf16.h"

#include "mamba/Runtime/Cpu/HostCode.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace mamba::runtime::cpu {

namespace {

float widen(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

/// The sums of both forms: 32 partial sums over k mod 32 (four 8-lane
/// accumulators), lane j of the four added as (0 + 1) + (2 + 3), the 8
/// lanes pairwise, then the tail. The AVX2 form keeps the same order, so
/// either gives the same bits.
float finish(const float *acc, const uint16_t *row, const float *x,
             int64_t body, int64_t k) {
  float lanes[8];
  for (int j = 0; j < 8; ++j)
    lanes[j] = (acc[j] + acc[8 + j]) + (acc[16 + j] + acc[24 + j]);
  float sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) +
              ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
  for (int64_t i = body; i < k; ++i)
    sum = std::fma(widen(row[i]), x[i], sum);
  return sum;
}

void rowsPortable(const uint16_t *w, const float *x, float *y, int64_t k,
                  int64_t rowBegin, int64_t rowEnd) {
  const int64_t body = k - k % 32;
  for (int64_t m = rowBegin; m < rowEnd; ++m) {
    const uint16_t *row = w + m * k;
    float acc[32] = {};
    for (int64_t i = 0; i < body; i += 32)
      for (int j = 0; j < 32; ++j)
        acc[j] = std::fma(widen(row[i + j]), x[i + j], acc[j]);
    y[m] = finish(acc, row, x, body, k);
  }
}

/// Eight bf16 weights widened to f32 in a register.
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint16_t *p) {
  __m128i bits = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
}

/// A row at a time, one contiguous stream, four accumulators to cover the
/// FMA latency. (Four rows at a time sharing the loads of x streamed at
/// 7 GB/s where this reaches 10 per core on the 2-core EPYC.)
__attribute__((target("avx2,fma"))) void rowsAvx2(const uint16_t *w,
                                                  const float *x, float *y,
                                                  int64_t k, int64_t rowBegin,
                                                  int64_t rowEnd) {
  const int64_t body = k - k % 32;
  for (int64_t m = rowBegin; m < rowEnd; ++m) {
    const uint16_t *r = w + m * k;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t i = 0; i < body; i += 32) {
      a0 = _mm256_fmadd_ps(load8(r + i), _mm256_loadu_ps(x + i), a0);
      a1 = _mm256_fmadd_ps(load8(r + i + 8), _mm256_loadu_ps(x + i + 8), a1);
      a2 = _mm256_fmadd_ps(load8(r + i + 16), _mm256_loadu_ps(x + i + 16), a2);
      a3 = _mm256_fmadd_ps(load8(r + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    alignas(32) float acc[32];
    _mm256_store_ps(acc, a0);
    _mm256_store_ps(acc + 8, a1);
    _mm256_store_ps(acc + 16, a2);
    _mm256_store_ps(acc + 24, a3);
    y[m] = finish(acc, r, x, body, k);
  }
}

} // namespace

void gemvBf16Rows(const uint16_t *w, const float *x, float *y, int64_t k,
                  int64_t rowBegin, int64_t rowEnd) {
  static const bool avx2 = hostLevel() >= 3;
  (avx2 ? rowsAvx2 : rowsPortable)(w, x, y, k, rowBegin, rowEnd);
}

} // namespace mamba::runtime::cpu
