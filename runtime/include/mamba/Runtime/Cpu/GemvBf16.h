//===- GemvBf16.h - One token's bf16 GEMM, weights read once ----*- C++ -*-===//
//
// A decode step multiplies every weight matrix by one token: a GEMV that
// streams the weights once, so its time is the weights' bytes over the
// memory bandwidth. OpenBLAS has no bf16 GEMV, and without sbgemm (Debian
// 12's build) a bf16 GEMM widens the whole matrix to f32 first: 10 bytes
// moved per 2-byte weight. This reads each weight once, widening it in a
// register. f32 products and sums; the sums in a fixed order, so results
// do not depend on the threads.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CPU_GEMVBF16_H
#define MAMBA_RUNTIME_CPU_GEMVBF16_H

#include <cstdint>

namespace mamba::runtime::cpu {

/// y[m] = sum_k w[m, k] * x[k] for m in [rowBegin, rowEnd): w bf16 bits,
/// [M, K] row-major; x and y f32. AVX2 and FMA where the CPU has them.
void gemvBf16Rows(const uint16_t *w, const float *x, float *y, int64_t k,
                  int64_t rowBegin, int64_t rowEnd);

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_GEMVBF16_H
