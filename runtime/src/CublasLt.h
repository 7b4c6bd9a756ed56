//===- CublasLt.h - cuBLASLt, opened at run time ----------------*- C++ -*-===//
//
// As for the driver (CudaDriver.h): the runtime calls cuBLASLt through a
// table filled by dlsym, so that its programs start, and report what is
// missing, on machines without the library. Each pointer has the type of
// the declaration in the cublasLt.h the runtime was compiled against.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUBLASLT_H
#define MAMBA_RUNTIME_CUBLASLT_H

#include <cublasLt.h>

#include <string>

namespace mamba::runtime::cuda {

#define MAMBA_CUBLASLT_FUNCTIONS(X)                                            \
  X(cublasLtGetVersion)                                                        \
  X(cublasLtGetStatusName)                                                     \
  X(cublasLtGetStatusString)                                                   \
  X(cublasLtCreate)                                                            \
  X(cublasLtDestroy)                                                           \
  X(cublasLtMatmul)                                                            \
  X(cublasLtMatmulDescCreate)                                                  \
  X(cublasLtMatmulDescDestroy)                                                 \
  X(cublasLtMatmulDescSetAttribute)                                            \
  X(cublasLtMatrixLayoutCreate)                                                \
  X(cublasLtMatrixLayoutDestroy)                                               \
  X(cublasLtMatrixLayoutSetAttribute)                                          \
  X(cublasLtMatmulPreferenceCreate)                                            \
  X(cublasLtMatmulPreferenceDestroy)                                           \
  X(cublasLtMatmulPreferenceSetAttribute)                                      \
  X(cublasLtMatmulAlgoGetHeuristic)

struct CublasLtApi {
#define MAMBA_CUBLASLT_DECLARE_POINTER(fn) decltype(&::fn) fn = nullptr;
  MAMBA_CUBLASLT_FUNCTIONS(MAMBA_CUBLASLT_DECLARE_POINTER)
#undef MAMBA_CUBLASLT_DECLARE_POINTER
  std::string library; ///< the path or soname that was opened
};

/// cuBLASLt, opened once per process; nullptr, with `error` saying why,
/// when it cannot be. Later calls repeat the first answer.
const CublasLtApi *cublasLt(std::string &error);

/// True on CUBLAS_STATUS_SUCCESS. Otherwise sets `error` to "CALL failed
/// with NAME (TEXT) while DOING" and returns false.
bool checkBlas(cublasStatus_t status, const char *call,
               const std::string &doing, std::string &error);

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUBLASLT_H
