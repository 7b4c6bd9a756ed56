//===- CpuGemmTest.cpp - The CPU backend's GEMMs against double sums ------===//
//
// Every operand layout a plan's GEMM steps use (x and y token-major or
// features-major, batched, with and without a bias) in f32 and bf16,
// through OpenBLAS (one bf16 token through GemvBf16), against a
// double-precision product of the same (rounded) inputs.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/Float16.h"
#include "mamba/Runtime/Cpu/Gemm.h"
#include "mamba/Runtime/Cpu/ThreadPool.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include <cmath>
#include <random>

namespace mamba::runtime::cpu {
namespace {

struct Layout {
  bool xFeaturesMajor, yFeaturesMajor, bias;
  int64_t batch;
};

/// Values in the element type's storage, and their exact doubles.
struct Operand {
  std::vector<float> f32;
  std::vector<uint16_t> bf16;
  std::vector<double> exact;

  Operand(ElementType element, size_t n, std::mt19937 &rng) {
    std::uniform_real_distribution<float> dist(-1, 1);
    for (size_t i = 0; i < n; ++i) {
      float v = dist(rng);
      if (element == ElementType::BF16) {
        bf16.push_back(format::floatToBfloat16Bits(v));
        exact.push_back(format::bfloat16BitsToDouble(bf16.back()));
      } else {
        f32.push_back(v);
        exact.push_back(v);
      }
    }
  }
  uint64_t address() const {
    return f32.empty() ? reinterpret_cast<uintptr_t>(bf16.data())
                       : reinterpret_cast<uintptr_t>(f32.data());
  }
};

double relativeError(ElementType element, const GemmProblem &p,
                     const Layout &layout, std::mt19937 &rng) {
  const int64_t B = p.batch, T = p.tokens, M = p.m, K = p.k;
  Operand x(element, B * T * K, rng), w(element, M * K, rng),
      bias(element, M, rng);
  GemmProblem problem = p;
  problem.x = x.address();
  problem.w = w.address();
  problem.bias = layout.bias ? bias.address() : 0;
  std::vector<float> yF32(B * T * M, NAN);
  std::vector<uint16_t> yBf16(B * T * M, 0x7fc0);
  problem.y = element == ElementType::F32
                  ? reinterpret_cast<uintptr_t>(yF32.data())
                  : reinterpret_cast<uintptr_t>(yBf16.data());
  std::string error;
  EXPECT_TRUE(checkGemm(problem, error)) << error;
  std::vector<float> workspace;
  ThreadPool pool(2);
  runGemm(problem, workspace, pool);

  double diff = 0, norm = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t m = 0; m < M; ++m) {
        double want = layout.bias ? bias.exact[m] : 0;
        for (int64_t k = 0; k < K; ++k) {
          int64_t xi =
              p.xFeaturesMajor ? (b * K + k) * T + t : (b * T + t) * K + k;
          want += x.exact[xi] * w.exact[m * K + k];
        }
        int64_t yi =
            p.yFeaturesMajor ? (b * M + m) * T + t : (b * T + t) * M + m;
        double got = element == ElementType::F32
                         ? yF32[yi]
                         : format::bfloat16BitsToDouble(yBf16[yi]);
        diff += (got - want) * (got - want);
        norm += want * want;
      }
  return std::sqrt(diff / norm);
}

TEST(CpuGemmTest, EveryLayoutMatchesADoubleProduct) {
  std::mt19937 rng(7);
  setGemmThreads(1); // as the CPU backend: the pool splits the GEMM
  for (ElementType element : {ElementType::F32, ElementType::BF16})
    for (bool xFM : {false, true})
      for (bool yFM : {false, true})
        for (bool bias : {false, true})
          for (bool oneToken : {false, true}) { // a decode step: a GEMV
            // 45 rows: a tail after blocks of 4, split over the pool's two
            // threads by features (16 + 29); 20 rows: split by tokens
            // instead; one token, 300: several 64-row blocks on the pool
            // (GemvBf16.h).
            for (int64_t m : oneToken ? std::vector<int64_t>{45, 300}
                                      : std::vector<int64_t>{45, 20}) {
              GemmProblem p;
              p.element = element;
              p.batch = xFM || yFM ? 3 : 1;
              // Not a multiple of any tile.
              p.tokens = oneToken ? 1 : xFM || yFM ? 37 : 111;
              p.m = m;
              p.k = 67;
              p.xFeaturesMajor = xFM;
              p.yFeaturesMajor = yFM;
              SCOPED_TRACE(std::string(elementTypeName(element)) +
                           (xFM ? " x features-major" : " x token-major") +
                           (yFM ? ", y features-major" : ", y token-major") +
                           (bias ? ", bias" : "") +
                           (oneToken ? ", 1 token" : "") +
                           ", M=" + std::to_string(m));
              double err =
                  relativeError(element, p, {xFM, yFM, bias, p.batch}, rng);
              // f32: summation order only. bf16: the result's rounding
              // (2^-9 relative at most, about 2^-10 on average).
              EXPECT_LT(err, element == ElementType::F32 ? 1e-6 : 4e-3);
            }
          }
}

TEST(CpuGemmTest, RefusesWhatOpenBlasCannotRun) {
  GemmProblem p;
  p.element = ElementType::F16;
  p.tokens = p.m = p.k = 4;
  std::string error;
  EXPECT_FALSE(checkGemm(p, error));
  EXPECT_NE(error.find("f32 and bf16 GEMMs, not f16"), std::string::npos)
      << error;
  p.element = ElementType::F32;
  p.tokens = int64_t(1) << 31;
  EXPECT_FALSE(checkGemm(p, error));
  EXPECT_NE(error.find("beyond OpenBLAS's 32-bit sizes"), std::string::npos)
      << error;
}

// OpenBLAS runs the kernels of the CPU's vector width, not its SSE3
// fallback for a CPU model it does not know (CpuGemm.cpp,
// nameOpenBlasKernels): on this project's build machine that fallback
// halved the GEMMs' speed. Where the user named kernels, those.
TEST(CpuGemmTest, OpenBlasRunsTheCpusVectorKernels) {
  const std::string library = describeGemmLibrary();
  if (library.find("OpenBLAS") == std::string::npos)
    GTEST_SKIP() << "no OpenBLAS: " << library;
  if (const char *named = std::getenv("OPENBLAS_CORETYPE"); named && *named) {
    EXPECT_NE(library.find(named), std::string::npos) << library;
    return;
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_EQ(library.find("Prescott"), std::string::npos) << library;
    EXPECT_EQ(library.find("Core2"), std::string::npos) << library;
  }
#endif
}

} // namespace
} // namespace mamba::runtime::cpu
