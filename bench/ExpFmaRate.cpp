//===- ExpFmaRate.cpp - This machine's exp + FMA throughput ---------------===//
//
// Built alone with -O3 -march=native -ffast-math (bench/CMakeLists.txt):
// glibc's math.h declares the vector variants of expf only under
// __FAST_MATH__, and only then does GCC vectorize the loop below into calls
// of libmvec's 8-wide expf. -march=native because the number wanted is this
// machine's, at its widest vectors.
//
//===----------------------------------------------------------------------===//

#include "ExpFmaRate.h"

#include <math.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define MAMBA_BENCH_HAVE_AVX2 1
#endif

namespace mamba::bench {
namespace {

/// Four arrays of 1024 floats, 16 KiB: they stay in a 32 KiB L1 data
/// cache, so the loop measures arithmetic, not memory.
constexpr int kElements = 1024;

struct alignas(64) Arrays {
  float x[kElements], a[kElements], b[kElements], h[kElements];
};

/// The scan's ranges: x = dt in [0.001, 0.1], a = A in [-16, -0.5], so the
/// exponent is in [-1.6, 0) and h stays bounded and never denormal.
void initialize(Arrays &v, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dt(0.001f, 0.1f), A(-16.0f, -0.5f),
      b(-1.0f, 1.0f);
  for (int i = 0; i < kElements; ++i) {
    v.x[i] = dt(rng);
    v.a[i] = A(rng);
    v.b[i] = b(rng);
    v.h[i] = 0.0f;
  }
}

/// Not inlined, so that each pass is a real loop over memory the compiler
/// cannot fold across passes.
__attribute__((noinline)) void libraryPass(Arrays &v) {
  for (int i = 0; i < kElements; ++i)
    v.h[i] = expf(v.x[i] * v.a[i]) * v.h[i] + v.b[i];
}

#ifdef MAMBA_BENCH_HAVE_AVX2
/// e^x for x in [-87, 0]: n = round(x log2 e), r = x - n ln 2 in two parts
/// (Cody and Waite) so r keeps f32 precision, e^r by its Taylor polynomial
/// to degree 6 (|r| <= ln(2)/2, truncation error below 2e-7), and 2^n built
/// in the exponent bits. Fourteen instructions per eight exponentials: what
/// a compiler could inline into a scan.
inline __m256 exp8(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145752f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860677e-6f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720);
  for (float c : {1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f})
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
  __m256i bits = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

__attribute__((noinline)) void polynomialPass(Arrays &v) {
  for (int i = 0; i < kElements; i += 8) {
    __m256 e =
        exp8(_mm256_mul_ps(_mm256_load_ps(v.x + i), _mm256_load_ps(v.a + i)));
    _mm256_store_ps(v.h + i, _mm256_fmadd_ps(e, _mm256_load_ps(v.h + i),
                                             _mm256_load_ps(v.b + i)));
  }
}

/// The largest relative error of exp8 against std::exp in double, over
/// the exponents the scan produces.
double polynomialError() {
  double worst = 0;
  alignas(32) float in[8], out[8];
  for (int i = 0; i < 100000; i += 8) {
    for (int j = 0; j < 8; ++j)
      in[j] = -20.0f * float(i + j) / 100000;
    _mm256_store_ps(out, exp8(_mm256_load_ps(in)));
    for (int j = 0; j < 8; ++j) {
      double want = std::exp(double(in[j]));
      worst = std::max(worst, std::abs(out[j] - want) / want);
    }
  }
  return worst;
}
#endif

/// Exponentials per second of `pass` run on `threads` threads at once.
double measure(void (*pass)(Arrays &), int threads, double seconds) {
  std::vector<std::unique_ptr<Arrays>> arrays;
  for (int t = 0; t < threads; ++t) {
    arrays.push_back(std::make_unique<Arrays>());
    initialize(*arrays.back(), 17 + t);
  }
  auto runAll = [&](int64_t passes) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        for (int64_t p = 0; p < passes; ++p)
          pass(*arrays[t]);
      });
    for (std::thread &w : workers)
      w.join();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  // Enough passes for `seconds`, from a short run that also warms up.
  int64_t passes = 1000;
  double s = runAll(passes);
  passes = std::max<int64_t>(1, int64_t(passes * seconds / s));
  std::vector<double> rates;
  for (int i = 0; i < 5; ++i)
    rates.push_back(double(threads) * passes * kElements / runAll(passes));
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

} // namespace

ExpFmaRates measureExpFmaRates(int threads, double seconds) {
  ExpFmaRates rates;
  rates.vectorLibrary = measure(libraryPass, threads, seconds);
#ifdef MAMBA_BENCH_HAVE_AVX2
  rates.polynomial = measure(polynomialPass, threads, seconds);
  rates.polynomialError = polynomialError();
#endif
  return rates;
}

} // namespace mamba::bench
