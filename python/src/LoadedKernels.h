//===- LoadedKernels.h - A module of kernel functions for Python *- C++ -*-===//
//
// What mamba_mlir's single ops run on: a module of kernel functions (no
// model section) loaded on a backend, called with tensors the caller owns
// (their data pointers and shapes: zero copy), one call at a time, on the
// caller's queue (PyTorch's current CUDA stream). A call of shapes seen
// before reuses its prepared step with the new addresses: per call, only
// the parameters are packed and the kernels launched.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_LOADEDKERNELS_H
#define MAMBA_PYTHON_LOADEDKERNELS_H

#include "mamba/Runtime/LaunchPlan.h"
#include "mamba/Runtime/OpenDevice.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mamba::python {

class LoadedKernels {
public:
  bool load(const std::string &modulePath,
            const runtime::DeviceRequest &request, std::string &error);
  std::string deviceKind() const;
  /// Runs `function` on tensors at backend addresses (host pointers on the
  /// CPU, device pointers on CUDA), in order on `queue` (Backend's
  /// borrowQueue: a CUstream, 0 for the legacy default stream; 0 on the
  /// CPU). Returns when the work is done on the CPU, once it is enqueued on
  /// CUDA (a fault in a kernel surfaces at the stream's next
  /// synchronization, as for any PyTorch op). The caller has checked every
  /// element type and layout; the runtime checks ranks and sizes against
  /// the function.
  bool call(const std::string &function,
            const std::vector<runtime::TensorRef> &args,
            const std::vector<runtime::TensorRef> &results, uint64_t queue,
            std::string &error);

private:
  runtime::Queue *queueFor(uint64_t handle, std::string &error);

  // Destroyed in reverse: steps, queues and program before the device.
  runtime::OpenedDevice device_;
  runtime::ModuleFile file_;
  std::unique_ptr<runtime::Program> program_;
  std::map<uint64_t, std::unique_ptr<runtime::Queue>> queues_;
  /// Per queue, one prepared step per function and shapes (per queue: a
  /// step's scratch memory is reused by its next call, which another
  /// stream could run at the same time).
  std::map<uint64_t, std::map<std::string, std::unique_ptr<runtime::Step>>>
      steps_;
  std::mutex mutex_;
};

} // namespace mamba::python

#endif // MAMBA_PYTHON_LOADEDKERNELS_H
