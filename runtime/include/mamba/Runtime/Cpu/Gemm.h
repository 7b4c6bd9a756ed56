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
/// Runs `problem` on `pool`: each thread one OpenBLAS call on its block of
/// y (split along the features, or along the tokens when there are few
/// features), OpenBLAS itself set to one thread (setGemmThreads(1)).
/// `workspace` holds the f32 result of a bf16 GEMM and its widened
/// operands; it grows as needed and may be shared by GEMMs that run one at
/// a time.
void runGemm(const GemmProblem &problem, std::vector<float> &workspace,
             ThreadPool &pool);
/// Sets the threads OpenBLAS uses within one call. The CPU backend sets 1:
/// OpenBLAS's own workers spin for about 2^28 cycles after each call
/// (OPENBLAS_THREAD_TIMEOUT), so on a machine whose cores the pool also
/// uses, every kernel after a GEMM shared its cores with a spinning thread
/// (the scan and the convolution ran 1.5x slower in a model than alone).
void setGemmThreads(int threads);
/// "OpenBLAS 0.3.21 (Haswell, 2 threads)", for logs.
std::string describeGemmLibrary();

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_GEMM_H
