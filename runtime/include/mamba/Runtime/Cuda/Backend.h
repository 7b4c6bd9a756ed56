//===- Backend.h - The CUDA device behind the device interface --*- C++ -*-===//
//
// The device interface (Device/Backend.h) on one GPU: buffers from
// cuMemAlloc, a non-blocking stream as the queue, CUDA events, the
// module's cubin or PTX through LoadedModule, GEMMs through cuBLASLt, and
// CUDA graphs for replay. The classes that implement the interface are
// private to CudaBackend.cpp; this is the one a program creates.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_BACKEND_H
#define MAMBA_RUNTIME_CUDA_BACKEND_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/Device/Backend.h"

#include <cuda.h>

namespace mamba::runtime::cuda {

class CudaBackend final : public Backend {
public:
  /// Runs on `device`, opened, which must outlive the backend.
  explicit CudaBackend(const Device &device) : device_(device) {}

  const Device &device() const { return device_; }
  /// The stream of a queue this backend made or borrowed (for code that
  /// launches its own kernels beside a model's, such as tests); false for
  /// another backend's queue. A borrowed legacy default stream is 0.
  bool streamOf(const Queue &queue, CUstream &stream) const;

  std::string kind() const override { return "cuda"; }
  std::string describe() const override { return device_.describe(); }
  int64_t parallelism() const override { return device_.multiprocessors(); }
  std::unique_ptr<Buffer> allocate(uint64_t bytes, std::string &error) override;
  std::unique_ptr<Queue> createQueue(std::string &error) override;
  std::unique_ptr<Queue> borrowQueue(uint64_t handle,
                                     std::string &error) override;
  std::unique_ptr<runtime::Event> createEvent(std::string &error) override;
  std::unique_ptr<Program> load(const ModuleFile &file,
                                std::string &error) override;
  bool canReplay() const override { return true; }
  std::unique_ptr<Replay> capture(Queue &queue, const EnqueueFn &enqueue,
                                  std::string &error) override;
  bool measureCopyBandwidth(Queue &queue, double &bytesPerSecond,
                            std::string &error) override;
  bool memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                  std::string &error) const override;

private:
  const Device &device_;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_BACKEND_H
