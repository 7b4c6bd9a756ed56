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

/// Adds bias[m] to every element of C (laid out as `call` says).
void addBias(const GemmProblem &p, const Call &call, float *c) {
  for (blasint r = 0; r < call.rows; ++r)
    for (blasint col = 0; col < call.cols; ++col)
      c[int64_t(r) * call.ldc + col] += biasValue(p, call.wFirst ? r : col);
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

const BlasApi &blas() {
  static const BlasApi api = [] {
    BlasApi a;
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

/// C = A op(B) as `call` lays it out, in f32. One token (a decode step) is
/// y = w x whatever the layouts (both are then vectors of stride 1): a
/// GEMV, which OpenBLAS streams w through faster than a GEMM of N = 1.
void multiply(const GemmProblem &p, const Call &call, const float *x,
              const float *w, float *y) {
  if (p.tokens == 1) {
    blas().sgemv(CblasRowMajor, CblasNoTrans, static_cast<blasint>(p.m),
                 static_cast<blasint>(p.k), 1.0f, w, static_cast<blasint>(p.k),
                 x, 1, 0.0f, y, 1);
    return;
  }
  blas().sgemm(CblasRowMajor, call.transA, call.transB, call.rows, call.cols,
               call.k, 1.0f, call.wFirst ? w : x, call.lda, call.wFirst ? x : w,
               call.ldb, 0.0f, y, call.ldc);
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
  for (int64_t b = 0; b < p.batch; ++b) {
    if (p.element == ElementType::F32) {
      const float *x = at<float>(p.x, b * xBatch), *w = at<float>(p.w, 0);
      float *y = const_cast<float *>(at<float>(p.y, b * yBatch));
      multiply(p, call, x, w, y);
      if (p.bias)
        addBias(p, call, y);
      continue;
    }
    // bf16: f32 products accumulated by OpenBLAS, one rounding at the end.
    const bfloat16 *x = at<bfloat16>(p.x, b * xBatch),
                   *w = at<bfloat16>(p.w, 0);
    workspace.resize(yBatch);
    if (p.tokens == 1 && !blas().sbgemm) {
      // One token: the weights streamed once, as bf16 (GemvBf16.h), the
      // rows split over the pool in blocks of a few KB of weights.
      workspace.resize(yBatch + p.k);
      float *xf = workspace.data() + yBatch;
      widen(x, p.k, xf);
      constexpr int64_t kRows = 64;
      pool.parallelFor((p.m + kRows - 1) / kRows, [&](int64_t block) {
        gemvBf16Rows(w, xf, workspace.data(), p.k, block * kRows,
                     std::min(p.m, (block + 1) * kRows));
      });
    } else if (auto sbgemm = blas().sbgemm) {
      sbgemm(CblasRowMajor, call.transA, call.transB, call.rows, call.cols,
             call.k, 1.0f, call.wFirst ? w : x, call.lda, call.wFirst ? x : w,
             call.ldb, 0.0f, workspace.data(), call.ldc);
    } else {
      // Widened to f32 (exact) and multiplied by sgemm, the weights a panel
      // of rows at a time: a panel of about 1 MB stays in the caches
      // between its widening and its product, so the weights cross memory
      // once, as bf16, instead of as bf16 read, f32 written and read again.
      constexpr int64_t kPanelFloats = 1 << 18;
      const int64_t panel =
          std::min<int64_t>(p.m, std::max<int64_t>(16, kPanelFloats / p.k));
      workspace.resize(yBatch + xBatch + uint64_t(panel) * p.k);
      float *xf = workspace.data() + yBatch, *wf = xf + xBatch;
      widen(x, xBatch, xf);
      for (int64_t m0 = 0; m0 < p.m; m0 += panel) {
        const blasint rows = static_cast<blasint>(std::min(panel, p.m - m0));
        widen(w + m0 * p.k, uint64_t(rows) * p.k, wf);
        if (call.wFirst) // C [M, T]: the panel's rows of C
          blas().sgemm(CblasRowMajor, call.transA, call.transB, rows, call.cols,
                       call.k, 1.0f, wf, call.lda, xf, call.ldb, 0.0f,
                       workspace.data() + m0 * call.ldc, call.ldc);
        else // C [T, M]: the panel's columns of C
          blas().sgemm(CblasRowMajor, call.transA, call.transB, call.rows, rows,
                       call.k, 1.0f, xf, call.lda, wf, call.ldb, 0.0f,
                       workspace.data() + m0, call.ldc);
      }
    }
    if (p.bias)
      addBias(p, call, workspace.data());
    uint16_t *y = const_cast<uint16_t *>(at<uint16_t>(p.y, b * yBatch));
    for (uint64_t i = 0; i < yBatch; ++i)
      y[i] = format::floatToBfloat16Bits(workspace[i]);
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
         std::to_string(blas().getThreads()) + " threads, bf16 " +
         (blas().sbgemm ? "by sbgemm" : "widened to f32 for sgemm");
}

} // namespace mamba::runtime::cpu
