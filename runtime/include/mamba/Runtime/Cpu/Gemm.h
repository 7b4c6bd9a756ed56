//===- Gemm.h - A plan's GEMMs through OpenBLAS -----------------*- C++ -*-===//
//
// The CPU backend's GEMM steps: y = x w^T (+ bias) with the operand layouts
// of docs/ModuleFormat.md (EntryBinding.h's GemmProblem), on OpenBLAS with
// f32 accumulation: cblas_sgemm for f32; for bf16 cblas_sbgemm where the
// library has it (bf16 operands, f32 result, rounded to bf16 after the
// bias), else the operands widened to f32 for cblas_sgemm (Debian 12's
// OpenBLAS is built without sbgemm), except one token's product, a GEMV
// that reads the bf16 weights as they are (GemvBf16.h). Every layout maps to
// row-major calls without copies: a features-major operand is a transposed
// one.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CPU_GEMM_H
#define MAMBA_RUNTIME_CPU_GEMM_H

#include "mamba/Runtime/EntryBinding.h"

#include <string>
#include <vector>

namespace mamba::runtime::cpu {

class ThreadPool;

/// Checks that OpenBLAS is there (opened at the first call; MAMBA_OPENBLAS
/// names it when it is not libopenblas.so.0 on the loader's path) and can
/// run `problem` (its element type, every size within its 32-bit indices).
bool checkGemm(const GemmProblem &problem, std::string &error);
/// Runs `problem` from the calling thread: OpenBLAS spreads it over its
/// own threads, a one-token bf16 product (GemvBf16.h) over `pool`.
/// `workspace` holds the f32 result of a bf16 GEMM; it grows as needed and
/// may be shared by GEMMs that run one at a time.
void runGemm(const GemmProblem &problem, std::vector<float> &workspace,
             ThreadPool &pool);
/// Sets the threads OpenBLAS uses.
void setGemmThreads(int threads);
/// "OpenBLAS 0.3.21 (Haswell, 2 threads)", for logs.
std::string describeGemmLibrary();

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_GEMM_H
