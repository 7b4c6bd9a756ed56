//===- Model.h - A compiled model on a GPU ----------------------*- C++ -*-===//
//
// A module file with a model section (mamba-compile MODEL_DIR), its kernels
// loaded, its weights converted and uploaded once, and cuBLASLt for the
// GEMMs; then any entry of its plan prepared for fixed input shapes and run
// as nothing but kernel launches and GEMM calls on one stream (which a CUDA
// graph can capture).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_MODEL_H
#define MAMBA_RUNTIME_MODEL_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/Cuda/DeviceBuffer.h"
#include "mamba/Runtime/Cuda/LoadedModule.h"
#include "mamba/Runtime/Cuda/PreparedCall.h"
#include "mamba/Runtime/Cuda/Stream.h"
#include "mamba/Runtime/EntryPlan.h"
#include "mamba/Runtime/Gemm.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamba::runtime::cuda {

/// Called as weights upload: bytes of the stored tensors done, of total.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

class Model {
public:
  Model() = default;
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  /// Reads the module file, checks it holds a model, loads its kernels for
  /// `device` (an error names the module's targets when none runs there),
  /// matches the weights in `weightsDir` against the plan and uploads them.
  /// `device` must outlive the model.
  bool load(const std::string &modulePath, const std::string &weightsDir,
            const Device &device, std::string &error,
            const LoadProgress &progress = {});

  const ModuleFile &file() const { return file_; }
  const ModelSpec &spec() const { return *file_.model(); }
  const LoadedModule &kernels() const { return kernels_; }
  const Blas &blas() const { return blas_; }
  const Device &device() const { return *device_; }
  /// The uploaded form of weight `i` / derived weight `i`.
  CUdeviceptr weightAddress(uint32_t i) const;
  CUdeviceptr derivedAddress(uint32_t i) const;
  uint64_t weightBytes() const { return weights_.size(); }

private:
  const Device *device_ = nullptr;
  ModuleFile file_;
  LoadedModule kernels_;
  Blas blas_;
  DeviceBuffer weights_;
  std::vector<uint64_t> weightOffsets_, derivedOffsets_;
};

/// One entry of a model's plan with its buffers bound for fixed input
/// shapes: the activations placed in one arena, every kernel launch and
/// GEMM prepared. enqueue() then only launches.
class PreparedEntry {
public:
  /// `inputs` are the caller's device tensors, in the entry's input order
  /// and element types; their contents are read at each enqueue. An output
  /// named in `outputsTo` is written to the caller's tensor (of exactly its
  /// shape) instead of the arena: how a decode step writes its new states
  /// where the next step reads them. The model and all these buffers must
  /// outlive this object.
  bool prepare(const Model &model, const std::string &entryName,
               const std::vector<TensorRef> &inputs, std::string &error,
               const std::map<std::string, TensorRef> &outputsTo = {});
  bool enqueue(CUstream stream, std::string &error) const;
  /// Runs the steps once with an event between every two and waits: each
  /// step's GPU time in milliseconds, to see where an entry's time goes.
  bool profile(const Stream &stream, std::vector<double> &stepMs,
               std::string &error) const;
  /// What step `i` runs: its kernel function, or its GEMM's description.
  std::string stepName(size_t i) const;

  const EntrySpec &entry() const { return *entry_; }
  /// Output `name`'s tensor (in the arena or the caller's); nullptr if the
  /// entry has no such output.
  const TensorRef *output(const std::string &name) const;
  const std::vector<TensorRef> &outputs() const { return outputs_; }
  const EntryLayout &layout() const { return layout_; }
  /// "prefill: 47 steps (12 kernels, 35 GEMMs), arena 3.1 MiB", for logs.
  std::string describe() const;

private:
  struct Step {
    bool gemm = false;
    std::string function; ///< the kernel function chosen
    PreparedCall call;
    PreparedGemm matmul;
  };
  const EntrySpec *entry_ = nullptr;
  const Device *device_ = nullptr;
  EntryLayout layout_;
  DeviceBuffer arena_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<TensorRef> outputs_;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_MODEL_H
