//===- Gemm.h - A plan's GEMMs through cuBLASLt -----------------*- C++ -*-===//
//
// The projections of a model (in_proj, x_proj, dt_proj, out_proj, lm_head)
// are GEMMs that cuBLASLt runs better than anything we would generate, with
// f32 accumulation for every element type (and no TF32 for f32: the f32
// path is the accuracy reference). cuBLASLt is opened at run time like the
// driver (set MAMBA_CUBLASLT to its path when it is not on the loader's
// search path).
//
// A GEMM step is y = x * w^T (+ bias) with the operand layouts of
// docs/ModuleFormat.md. Every layout maps to one column-major cuBLASLt
// problem without copies: a row-major [R, C] matrix is a column-major
// [C, R] one, and features-major operands are strided batches.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_GEMM_H
#define MAMBA_RUNTIME_CUDA_GEMM_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/EntryBinding.h"

#include <memory>
#include <string>

namespace mamba::runtime::cuda {

/// cuBLASLt on one device: its handle and the workspace that the GEMMs
/// prepared with it share, so they must run on one stream at a time.
class Blas {
public:
  Blas();
  ~Blas();
  Blas(Blas &&other) noexcept;
  Blas &operator=(Blas &&other) noexcept;
  Blas(const Blas &) = delete;
  Blas &operator=(const Blas &) = delete;

  /// Opens the library (once per process), creates a handle and allocates
  /// the workspace on `device`, which must outlive this object.
  bool open(const Device &device, std::string &error);
  void close();
  bool isOpen() const;
  /// "cuBLASLt 130200 (libcublasLt.so.13), algorithms timed for 9 GEMM
  /// shapes (4 not the heuristic's first)", for logs.
  std::string describe() const;

  /// Whether GEMMs prepared from now on time cuBLASLt's candidate
  /// algorithms and keep the fastest (on by default) or take the
  /// heuristic's first. A preparation setting, not the handle's state,
  /// hence const.
  void setAlgorithmTuning(bool enabled) const;
  /// Frees what timing needs (a stream, events, a buffer of twice the L2);
  /// the choices made stay. Call when done preparing.
  void releaseTuningBuffers() const;

  struct State;

private:
  friend class PreparedGemm;
  std::unique_ptr<State> state_;
};

/// A GEMM described and its algorithm chosen (cuBLASLt's heuristic, for
/// the buffers' actual alignment) once, then enqueued any number of times,
/// also into a CUDA graph. The Blas must outlive it.
class PreparedGemm {
public:
  PreparedGemm();
  ~PreparedGemm();
  PreparedGemm(PreparedGemm &&other) noexcept;
  PreparedGemm &operator=(PreparedGemm &&other) noexcept;
  PreparedGemm(const PreparedGemm &) = delete;
  PreparedGemm &operator=(const PreparedGemm &) = delete;

  bool prepare(const Blas &blas, const GemmProblem &problem,
               std::string &error);
  bool enqueue(CUstream stream, std::string &error) const;
  /// "gemm bf16 M=3072 N=128 K=768 batch 1 [w^T x]", for logs.
  std::string describe() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_GEMM_H
