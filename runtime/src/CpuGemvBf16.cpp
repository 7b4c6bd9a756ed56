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

/// The sums of both forms: eight partial sums over k mod 8, added
/// pairwise at the end, then the tail. The AVX2 form keeps the same
/// order, so either gives the same bits.
void rowsPortable(const uint16_t *w, const float *x, float *y, int64_t k,
                  int64_t rowBegin, int64_t rowEnd) {
  const int64_t body = k - k % 8;
  for (int64_t m = rowBegin; m < rowEnd; ++m) {
    const uint16_t *row = w + m * k;
    float lanes[8] = {};
    for (int64_t i = 0; i < body; i += 8)
      for (int j = 0; j < 8; ++j)
        lanes[j] = std::fma(widen(row[i + j]), x[i + j], lanes[j]);
    float sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) +
                ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
    for (int64_t i = body; i < k; ++i)
      sum = std::fma(widen(row[i]), x[i], sum);
    y[m] = sum;
  }
}

/// Eight bf16 weights widened to f32 in a register.
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint16_t *p) {
  __m128i bits = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
}

/// The 8 lanes added as rowsPortable adds them.
__attribute__((target("avx2,fma"))) inline float total(__m256 v) {
  __m128 low = _mm256_castps256_ps128(v), high = _mm256_extractf128_ps(v, 1);
  __m128 pairs = _mm_add_ps(low, high);         // j + (j + 4)
  __m128 swapped = _mm_movehl_ps(pairs, pairs); // pairs 2, 3, 2, 3
  __m128 quads = _mm_add_ps(pairs, swapped);    // (0 + 2), (1 + 3), ...
  __m128 odd = _mm_shuffle_ps(quads, quads, 1); // (1 + 3) in lane 0
  return _mm_cvtss_f32(_mm_add_ss(quads, odd));
}

/// Four rows at a time share each load of x.
__attribute__((target("avx2,fma"))) void
rowsAvx2(const uint16_t *w, const float *x, float *y, int64_t k,
         int64_t rowBegin, int64_t rowEnd) {
  const int64_t body = k - k % 8;
  int64_t m = rowBegin;
  for (; m + 4 <= rowEnd; m += 4) {
    const uint16_t *r = w + m * k;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t i = 0; i < body; i += 8) {
      __m256 xv = _mm256_loadu_ps(x + i);
      a0 = _mm256_fmadd_ps(load8(r + i), xv, a0);
      a1 = _mm256_fmadd_ps(load8(r + k + i), xv, a1);
      a2 = _mm256_fmadd_ps(load8(r + 2 * k + i), xv, a2);
      a3 = _mm256_fmadd_ps(load8(r + 3 * k + i), xv, a3);
    }
    __m256 acc[4] = {a0, a1, a2, a3};
    for (int j = 0; j < 4; ++j) {
      float sum = total(acc[j]);
      for (int64_t i = body; i < k; ++i)
        sum = std::fma(widen(r[j * k + i]), x[i], sum);
      y[m + j] = sum;
    }
  }
  for (; m < rowEnd; ++m) {
    const uint16_t *r = w + m * k;
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < body; i += 8)
      a = _mm256_fmadd_ps(load8(r + i), _mm256_loadu_ps(x + i), a);
    float sum = total(a);
    for (int64_t i = body; i < k; ++i)
      sum = std::fma(widen(r[i]), x[i], sum);
    y[m] = sum;
  }
}

} // namespace

void gemvBf16Rows(const uint16_t *w, const float *x, float *y, int64_t k,
                  int64_t rowBegin, int64_t rowEnd) {
  static const bool avx2 = hostLevel() >= 3;
  (avx2 ? rowsAvx2 : rowsPortable)(w, x, y, k, rowBegin, rowEnd);
}

} // namespace mamba::runtime::cpu
