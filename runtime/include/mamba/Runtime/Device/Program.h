//===- Program.h - A module's code, loaded on a backend ---------*- C++ -*-===//
//
// Part of the device interface (Backend.h): the images of a module file a
// backend can run, loaded, and its GEMM library opened; from them, prepared
// steps.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_PROGRAM_H
#define MAMBA_RUNTIME_DEVICE_PROGRAM_H

#include "mamba/Runtime/Device/Step.h"
#include "mamba/Runtime/EntryBinding.h"

#include <memory>
#include <string>
#include <vector>

namespace mamba::runtime {

class Program {
public:
  virtual ~Program() = default;

  /// A call of compiled function `function` on bound tensors: shapes
  /// checked, launches evaluated against the device's limits, parameters
  /// packed, scratch allocated. Nothing runs. nullptr with the reason.
  virtual std::unique_ptr<Step>
  prepareCall(const std::string &function, const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results, std::string &error) = 0;
  /// A GEMM (y = x w^T + bias) with its algorithm chosen.
  virtual std::unique_ptr<Step> prepareGemm(const GemmProblem &problem,
                                            std::string &error) = 0;
  /// While on, GEMMs prepared time the library's candidates and keep the
  /// fastest (where the backend can); off, the library's first choice.
  virtual void setGemmTuning(bool enabled) = 0;
  /// Frees what preparing needed; the choices made stay.
  virtual void endPreparation() = 0;
  /// "scan_kernel: cubin sm_90a; cuBLASLt 130200", for logs.
  virtual std::string describe() const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_PROGRAM_H
