// Whether compute-sanitizer's initcheck sees cuBLASLt's stores, without any
// of this project's code: for bf16 and f32, a few GEMM shapes of the tiny
// model and every algorithm cuBLASLt's heuristic offers, a GEMM writes a
// fresh output buffer and a kernel then reads every element of it. Reports
// of uninitialized reads there mean initcheck missed the GEMM's stores. On
// the GPU machine (the toolkit's nvcc here, libcublasLt there):
//   nvcc -arch=sm_90a -O2 -o cublaslt-initcheck scripts/cublaslt-initcheck.cu
//   -lcublasLt compute-sanitizer --tool initcheck --print-limit 1000000
//   ./cublaslt-initcheck |
//     awk '/Uninitialized/ {n++} /algorithm/ {print $1, $2, $3, $4, n + 0; n =
//     0}' | sort | uniq -c
// Each output line names the case; the count after it is the reports of
// that case's read (M x tokens when every element is flagged, 0 when none).
#include <cublasLt.h>
#include <cuda_bf16.h>

#include <cstdio>

#define CHECK(call)                                                            \
  do {                                                                         \
    if (int status = static_cast<int>(call)) {                                 \
      std::printf("%s failed: %d\n", #call, status);                           \
      return 1;                                                                \
    }                                                                          \
  } while (0)

template <typename T> __global__ void fill(T *p, size_t n, float scale) {
  size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  if (i < n)
    p[i] = T(scale * float((i * 7) % 13) / 13.0f);
}

template <typename T> __global__ void sum(const T *p, size_t n, float *out) {
  size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  if (i < n)
    atomicAdd(out, float(p[i]));
}

unsigned blocks(size_t n) { return unsigned((n + 255) / 256); }

/// y [tokens, M] = x [tokens, K] * w [M, K]^T, as the runtime's GEMMs are
/// laid out (column-major: w^T op, x, y [M, tokens]).
template <typename T>
int run(cublasLtHandle_t lt, cudaDataType_t type, const char *name, int M,
        int K, int tokens, void *workspace, size_t workspaceBytes) {
  T *w, *x;
  float *total;
  CHECK(cudaMalloc(&w, sizeof(T) * M * K));
  CHECK(cudaMalloc(&x, sizeof(T) * K * tokens));
  CHECK(cudaMalloc(&total, sizeof(float)));
  fill<T><<<blocks(size_t(M) * K), 256>>>(w, size_t(M) * K, 0.5f);
  fill<T><<<blocks(size_t(K) * tokens), 256>>>(x, size_t(K) * tokens, 0.25f);
  cublasLtMatmulDesc_t op;
  cublasLtMatrixLayout_t wl, xl, yl;
  CHECK(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  cublasOperation_t transpose = CUBLAS_OP_T;
  CHECK(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA,
                                       &transpose, sizeof(transpose)));
  CHECK(cublasLtMatrixLayoutCreate(&wl, type, K, M, K));
  CHECK(cublasLtMatrixLayoutCreate(&xl, type, K, tokens, K));
  CHECK(cublasLtMatrixLayoutCreate(&yl, type, M, tokens, M));
  cublasLtMatmulPreference_t preference;
  CHECK(cublasLtMatmulPreferenceCreate(&preference));
  CHECK(cublasLtMatmulPreferenceSetAttribute(
      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
      sizeof(workspaceBytes)));
  cublasLtMatmulHeuristicResult_t found[8];
  int count = 0;
  CHECK(cublasLtMatmulAlgoGetHeuristic(lt, op, wl, xl, yl, yl, preference, 8,
                                       found, &count));
  for (int a = 0; a < count; ++a) {
    T *y; // never written before the GEMM
    CHECK(cudaMalloc(&y, sizeof(T) * M * tokens));
    CHECK(cudaMemset(total, 0, sizeof(float)));
    float alpha = 1, beta = 0;
    CHECK(cublasLtMatmul(lt, op, &alpha, w, wl, x, xl, &beta, y, yl, y, yl,
                         &found[a].algo, workspace, workspaceBytes, 0));
    sum<T><<<blocks(size_t(M) * tokens), 256>>>(y, size_t(M) * tokens, total);
    float host = 0;
    CHECK(cudaMemcpy(&host, total, sizeof(float), cudaMemcpyDeviceToHost));
    std::printf("%s M=%d K=%d tokens=%d algorithm %d of %d: sum %.3f\n", name,
                M, K, tokens, a, count, host);
    CHECK(cudaFree(y));
  }
  cublasLtMatmulPreferenceDestroy(preference);
  cublasLtMatrixLayoutDestroy(wl);
  cublasLtMatrixLayoutDestroy(xl);
  cublasLtMatrixLayoutDestroy(yl);
  cublasLtMatmulDescDestroy(op);
  cudaFree(w);
  cudaFree(x);
  cudaFree(total);
  return 0;
}

int main() {
  // Unbuffered, so that each case's line follows the reports of its read.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  cublasLtHandle_t lt;
  CHECK(cublasLtCreate(&lt));
  void *workspace;
  const size_t workspaceBytes = size_t(32) << 20;
  CHECK(cudaMalloc(&workspace, workspaceBytes));
  const int shapes[][3] = {{256, 64, 27}, {256, 64, 1}, {512, 64, 27}};
  for (const auto &s : shapes) {
    if (run<__nv_bfloat16>(lt, CUDA_R_16BF, "bf16", s[0], s[1], s[2], workspace,
                           workspaceBytes) ||
        run<float>(lt, CUDA_R_32F, "f32", s[0], s[1], s[2], workspace,
                   workspaceBytes))
      return 1;
  }
  cublasLtDestroy(lt);
  return 0;
}
