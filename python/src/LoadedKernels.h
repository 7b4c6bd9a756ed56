//===- LoadedKernels.h - A module of kernel functions for Python -*- C++
//-*-===//
//
// What mamba_mlir's single ops run on: a module of kernel functions (no
// model section) loaded on a backend, called with tensors the caller owns
// (their data pointers and shapes: zero copy), one call at a time.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_LOADEDKERNELS_H
#define MAMBA_PYTHON_LOADEDKERNELS_H

#include "mamba/Runtime/LaunchPlan.h"
#include "mamba/Runtime/OpenDevice.h"

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
  /// CPU) and waits for it. The caller has checked every element type and
  /// layout; the runtime checks ranks and sizes against the function.
  bool call(const std::string &function,
            const std::vector<runtime::TensorRef> &args,
            const std::vector<runtime::TensorRef> &results, std::string &error);

private:
  // Destroyed in reverse: the queue and program before the device.
  runtime::OpenedDevice device_;
  runtime::ModuleFile file_;
  std::unique_ptr<runtime::Program> program_;
  std::unique_ptr<runtime::Queue> queue_;
  std::mutex mutex_;
};

} // namespace mamba::python

#endif // MAMBA_PYTHON_LOADEDKERNELS_H
