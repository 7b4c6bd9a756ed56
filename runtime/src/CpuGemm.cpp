//===- CpuGemm.cpp - A plan's GEMMs through OpenBLAS ----------------------===//

#include "mamba/Runtime/Cpu/Gemm.h"

#include "mamba/Runtime/Cpu/GemvBf16.h"
#include "mamba/Runtime/Cpu/ThreadPool.h"

#include "mamba/Format/Float16.h"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

namespace mamba::runtime::cpu {

namespace {

/// One batch's operands as row-major cblas arguments. The result C is
/// T x M (y rows are tokens) or, with y features-major, M x T.
struct Call {
  CBLAS_TRANSPOSE transA, transB;
  blasint rows, cols, k, lda, ldb, ldc;
  bool wFirst; ///< A is w (C = w x^T) rather than x (C = x w^T)
};

Call describe(const GemmProblem &p) {
  const blasint T = static_cast<blasint>(p.tokens),
                M = static_cast<blasint>(p.m), K = static_cast<blasint>(p.k);
  if (p.yFeaturesMajor)
    // C [M, T] = w [M, K] * x^T, x^T (k, t) = x[t, k] or, features-major,
    // x[k, t].
    return Call{CblasNoTrans,
                p.xFeaturesMajor ? CblasNoTrans : CblasTrans,
                M,
                T,
                K,
                K,
                p.xFeaturesMajor ? T : K,
                T,
                true};
  // C [T, M] = x * w^T, x (t, k) = x[t, k] or, features-major, x[k, t].
  return Call{p.xFeaturesMajor ? CblasTrans : CblasNoTrans,
              CblasTrans,
              T,
              M,
              K,
              p.xFeaturesMajor ? T : K,
              K,
              M,
              false};
}

template <typename T> const T *at(uint64_t address, uint64_t elements) {
  return reinterpret_cast<const T *>(address) + elements;
}

float biasValue(const GemmProblem &p, int64_t m) {
  if (p.element == ElementType::F32)
    return at<float>(p.bias, m)[0];
  return static_cast<float>(
      format::bfloat16BitsToDouble(at<uint16_t>(p.bias, m)[0]));
}

/// bf16 to f32 is exact: the bits shifted into the top half.
void widen(const bfloat16 *in, uint64_t n, float *out) {
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t bits = uint32_t(in[i]) << 16;
    std::memcpy(&out[i], &bits, 4);
  }
}

/// OpenBLAS, opened at run time like cuBLASLt: a program built with the
/// CPU backend starts on a machine without it (a GPU machine, say) and
/// says so when a GEMM is prepared. MAMBA_OPENBLAS names the library when
/// it is not on the loader's path.
struct BlasApi {
  void (*sgemm)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint,
                blasint, float, const float *, blasint, const float *, blasint,
                float, float *, blasint) = nullptr;
  void (*sgemv)(CBLAS_ORDER, CBLAS_TRANSPOSE, blasint, blasint, float,
                const float *, blasint, const float *, blasint, float, float *,
                blasint) = nullptr;
  /// Optional in OpenBLAS's build; Debian 12's 0.3.21 leaves it out.
  void (*sbgemm)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint,
                 blasint, blasint, float, const bfloat16 *, blasint,
                 const bfloat16 *, blasint, float, float *, blasint) = nullptr;
  void (*setThreads)(int) = nullptr;
  int (*getThreads)() = nullptr;
  char *(*getConfig)() = nullptr;
  std::string error; ///< why it is not there
};

/// OpenBLAS built with DYNAMIC_ARCH picks its kernels by the CPU's model
/// number, and falls back to its oldest x86-64 ones (Prescott: SSE3) on a
/// model it does not know. Debian 12's 0.3.21 does not know this project's
/// build machine (a Xeon with AVX-512 in a VM): its GEMMs ran at half the
/// speed of the AVX-512 kernels (a 130m-shaped prefill 2.5 s against 1.3
/// s, bench/RESULTS.md). So, unless the user named kernels
/// (OPENBLAS_CORETYPE), this names them by what the CPU can do, before
/// the library loads and reads the variable: the AVX-512 kernels where
/// the CPU has AVX-512 (F, BW, DQ, VL), the AVX2 ones where it has AVX2
/// and FMA. On a CPU OpenBLAS knows, that is the family it would pick.
void nameOpenBlasKernels() {
#if defined(__x86_64__)
  if (std::getenv("OPENBLAS_CORETYPE"))
    return;
  __builtin_cpu_init();
  const char *kernels = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    kernels = "SkylakeX";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    kernels = "Haswell";
  if (kernels)
    ::setenv("OPENBLAS_CORETYPE", kernels, /*overwrite=*/0);
#endif
}

const BlasApi &blas() {
  static const BlasApi api = [] {
    BlasApi a;
    nameOpenBlasKernels();
    const char *env = std::getenv("MAMBA_OPENBLAS");
    std::string name = env && *env ? env : "libopenblas.so.0";
    void *handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      a.error = "OpenBLAS (" + name +
                ") cannot be opened: " + (why ? why : "unknown") +
                " (install libopenblas0, or set MAMBA_OPENBLAS to its path)";
      return a;
    }
    auto get = [&](auto &fn, const char *symbol) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(handle, symbol));
    };
    get(a.sgemm, "cblas_sgemm");
    get(a.sgemv, "cblas_sgemv");
    get(a.sbgemm, "cblas_sbgemm");
    get(a.setThreads, "openblas_set_num_threads");
    get(a.getThreads, "openblas_get_num_threads");
    get(a.getConfig, "openblas_get_config");
    if (!a.sgemm || !a.sgemv || !a.setThreads || !a.getThreads || !a.getConfig)
      a.error = name + " is not OpenBLAS (it lacks cblas_sgemm or "
                       "openblas_set_num_threads)";
    return a;
  }();
  return api;
}

/// Where one thread's share of a GEMM lies: rows [m0, m1) of w (features
/// of y) and tokens [t0, t1).
struct Block {
  int64_t m0, m1, t0, t1;
};

/// The pool's threads each take one contiguous block of y. Cutting along
/// the features splits the weights, so each is read (and, for bf16,
/// widened) by one thread; a GEMM of few features and many tokens (the
/// scan's projections, M of 16 to 80) is cut along the tokens instead.
std::vector<Block> splitOverThreads(const GemmProblem &p, int threads) {
  // Multiples of 16 rows keep OpenBLAS's register tiles whole.
  constexpr int64_t kAlign = 16;
  const bool byTokens = p.m < kAlign * threads && p.tokens > p.m;
  const int64_t size = byTokens ? p.tokens : p.m;
  const int64_t units = (size + kAlign - 1) / kAlign;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, units));
  std::vector<Block> blocks;
  for (int64_t i = 0; i < parts; ++i) {
    int64_t lo = std::min(size, units * i / parts * kAlign),
            hi = std::min(size, units * (i + 1) / parts * kAlign);
    if (lo < hi)
      blocks.push_back(byTokens ? Block{0, p.m, lo, hi}
                                : Block{lo, hi, 0, p.tokens});
  }
  return blocks;
}

/// Element offsets of a block's operands and result, and its C shape, for
/// the row-major call that `describe` made for the whole GEMM: the w
/// operand from row m0, x from token t0, C at (m0, t0) in its layout.
struct BlockCall {
  int64_t wOffset, xOffset, cOffset;
  blasint rows, cols;
};

BlockCall locate(const GemmProblem &p, const Call &call, const Block &blk) {
  BlockCall bc;
  bc.wOffset = blk.m0 * p.k;
  bc.xOffset = p.xFeaturesMajor ? blk.t0 : blk.t0 * p.k;
  const blasint m = static_cast<blasint>(blk.m1 - blk.m0),
                t = static_cast<blasint>(blk.t1 - blk.t0);
  if (call.wFirst) { // C [M, T]
    bc.cOffset = blk.m0 * call.ldc + blk.t0;
    bc.rows = m;
    bc.cols = t;
  } else { // C [T, M]
    bc.cOffset = blk.t0 * call.ldc + blk.m0;
    bc.rows = t;
    bc.cols = m;
  }
  return bc;
}

/// The block's C = A op(B) in f32, w and x already offset to it. One token
/// (a decode step) is y = w x whatever the layouts (both are then vectors
/// of stride 1): a GEMV, which OpenBLAS streams w through faster than a
/// GEMM of N = 1.
void multiply(const GemmProblem &p, const Call &call, const BlockCall &bc,
              const float *x, const float *w, float *c) {
  if (p.tokens == 1) {
    blas().sgemv(CblasRowMajor, CblasNoTrans, call.wFirst ? bc.rows : bc.cols,
                 static_cast<blasint>(p.k), 1.0f, w, static_cast<blasint>(p.k),
                 x, 1, 0.0f, c, 1);
    return;
  }
  blas().sgemm(CblasRowMajor, call.transA, call.transB, bc.rows, bc.cols,
               call.k, 1.0f, call.wFirst ? w : x, call.lda, call.wFirst ? x : w,
               call.ldb, 0.0f, c, call.ldc);
}

/// Adds bias[m] to the block's elements of C (`c` at its first element).
void addBias(const GemmProblem &p, const Call &call, const Block &blk,
             const BlockCall &bc, float *c) {
  for (blasint r = 0; r < bc.rows; ++r)
    for (blasint col = 0; col < bc.cols; ++col)
      c[int64_t(r) * call.ldc + col] +=
          biasValue(p, blk.m0 + (call.wFirst ? r : col));
}

/// One thread's block of a bf16 GEMM into the f32 `c` (at the block's
/// first element), the f32 `xf` (all of x, widened) and `wf` (room for a
/// panel of widened weight rows).
void multiplyBf16(const GemmProblem &p, const Call &call, const Block &blk,
                  const float *xf, float *wf, int64_t panel, float *c) {
  const bfloat16 *w = at<bfloat16>(p.w, 0);
  // Widened to f32 (exact) and multiplied by sgemm, the weights a panel of
  // rows at a time: a panel of about 1 MB stays in the caches between its
  // widening and its product, so the weights cross memory once, as bf16,
  // instead of as bf16 read, f32 written and read again.
  const BlockCall first = locate(p, call, blk);
  for (int64_t m0 = blk.m0; m0 < blk.m1; m0 += panel) {
    Block part{m0, std::min(blk.m1, m0 + panel), blk.t0, blk.t1};
    BlockCall bc = locate(p, call, part);
    widen(w + bc.wOffset, uint64_t(part.m1 - part.m0) * p.k, wf);
    multiply(p, call, bc, xf + bc.xOffset, wf,
             c + (bc.cOffset - first.cOffset));
  }
}

} // namespace

bool checkGemm(const GemmProblem &p, std::string &error) {
  if (!blas().error.empty()) {
    error = blas().error;
    return false;
  }
  if (p.element != ElementType::F32 && p.element != ElementType::BF16) {
    error = std::string("the CPU backend runs f32 and bf16 GEMMs, not ") +
            elementTypeName(p.element) +
            " (compile the model with --dtype f32 or bf16)";
    return false;
  }
  for (int64_t size :
       {p.tokens, p.m, p.k, p.tokens * p.k, p.tokens * p.m, p.m * p.k})
    if (size < 0 || size > INT_MAX) {
      error = "a GEMM of M=" + std::to_string(p.m) +
              " K=" + std::to_string(p.k) +
              " tokens=" + std::to_string(p.tokens) +
              " is beyond OpenBLAS's 32-bit sizes";
      return false;
    }
  if (p.batch < 1) {
    error = "a GEMM needs a batch of at least 1";
    return false;
  }
  return true;
}

void runGemm(const GemmProblem &p, std::vector<float> &workspace,
             ThreadPool &pool) {
  const Call call = describe(p);
  const uint64_t xBatch = uint64_t(p.tokens) * p.k,
                 yBatch = uint64_t(p.tokens) * p.m;
  if (p.tokens == 0 || p.m == 0)
    return;
  const std::vector<Block> blocks = splitOverThreads(p, pool.threads());
  const int64_t parts = static_cast<int64_t>(blocks.size());
  for (int64_t b = 0; b < p.batch; ++b) {
    if (p.element == ElementType::F32) {
      const float *x = at<float>(p.x, b * xBatch), *w = at<float>(p.w, 0);
      float *y = const_cast<float *>(at<float>(p.y, b * yBatch));
      pool.parallelFor(parts, [&](int64_t i) {
        BlockCall bc = locate(p, call, blocks[i]);
        multiply(p, call, bc, x + bc.xOffset, w + bc.wOffset, y + bc.cOffset);
        if (p.bias)
          addBias(p, call, blocks[i], bc, y + bc.cOffset);
      });
      continue;
    }
    // bf16: f32 products accumulated by OpenBLAS, one rounding at the end.
    const bfloat16 *x = at<bfloat16>(p.x, b * xBatch),
                   *w = at<bfloat16>(p.w, 0);
    uint16_t *y = const_cast<uint16_t *>(at<uint16_t>(p.y, b * yBatch));
    constexpr int64_t kPanelFloats = 1 << 18;
    const int64_t panel =
        std::min<int64_t>(p.m, std::max<int64_t>(16, kPanelFloats / p.k));
    const bool gemv = p.tokens == 1 && !blas().sbgemm;
    workspace.resize(
        yBatch + xBatch +
        (gemv || blas().sbgemm ? 0 : uint64_t(parts) * panel * p.k));
    float *c = workspace.data(), *xf = c + yBatch, *wf = xf + xBatch;
    if (!blas().sbgemm) {
      // x widened once, in as many pieces as the GEMM.
      pool.parallelFor(parts, [&](int64_t i) {
        uint64_t lo = xBatch * i / parts, hi = xBatch * (i + 1) / parts;
        widen(x + lo, hi - lo, xf + lo);
      });
    }
    if (gemv) {
      // One token: the weights streamed once, as bf16 (GemvBf16.h), the
      // rows split over the pool in blocks of a few KB of weights.
      constexpr int64_t kRows = 64;
      pool.parallelFor((p.m + kRows - 1) / kRows, [&](int64_t block) {
        gemvBf16Rows(w, xf, c, p.k, block * kRows,
                     std::min(p.m, (block + 1) * kRows));
      });
    }
    pool.parallelFor(parts, [&](int64_t i) {
      const Block &blk = blocks[i];
      BlockCall bc = locate(p, call, blk);
      if (auto sbgemm = blas().sbgemm)
        sbgemm(CblasRowMajor, call.transA, call.transB, bc.rows, bc.cols,
               call.k, 1.0f, call.wFirst ? w + bc.wOffset : x + bc.xOffset,
               call.lda, call.wFirst ? x + bc.xOffset : w + bc.wOffset,
               call.ldb, 0.0f, c + bc.cOffset, call.ldc);
      else if (!gemv)
        multiplyBf16(p, call, blk, xf, wf + i * panel * p.k, panel,
                     c + bc.cOffset);
      if (p.bias)
        addBias(p, call, blk, bc, c + bc.cOffset);
      for (blasint r = 0; r < bc.rows; ++r) {
        const int64_t row = bc.cOffset + int64_t(r) * call.ldc;
        for (blasint col = 0; col < bc.cols; ++col)
          y[row + col] = format::floatToBfloat16Bits(c[row + col]);
      }
    });
  }
}

void setGemmThreads(int threads) {
  if (blas().setThreads)
    blas().setThreads(threads);
}

std::string describeGemmLibrary() {
  if (!blas().error.empty())
    return "no GEMM library: " + blas().error;
  return std::string(blas().getConfig()) + ", " +
         std::to_string(blas().getThreads()) + " thread(s) per call, bf16 " +
         (blas().sbgemm ? "by sbgemm" : "widened to f32 for sgemm");
}

} // namespace mamba::runtime::cpu
