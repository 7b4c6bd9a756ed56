//===- LoadedKernels.cpp - A module of kernel functions for Python --------===//

#include "LoadedKernels.h"

#include "mamba/Runtime/Device/Program.h"
#include "mamba/Runtime/Device/Queue.h"
#include "mamba/Runtime/Device/Step.h"

namespace mamba::python {

bool LoadedKernels::load(const std::string &modulePath,
                         const runtime::DeviceRequest &request,
                         std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_.load(modulePath, error) ||
      !runtime::openDevice(file_, modulePath, request, device_, error))
    return false;
  program_ = device_.backend().load(file_, error);
  if (!program_)
    return false;
  queue_ = device_.backend().createQueue(error);
  return queue_ != nullptr;
}

std::string LoadedKernels::deviceKind() const {
  return device_.isOpen() ? device_.backend().kind() : "";
}

bool LoadedKernels::call(const std::string &function,
                         const std::vector<runtime::TensorRef> &args,
                         const std::vector<runtime::TensorRef> &results,
                         std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!program_) {
    error = "the kernels are not loaded";
    return false;
  }
  std::unique_ptr<runtime::Step> step =
      program_->prepareCall(function, args, results, error);
  return step && step->enqueue(*queue_, error) && queue_->synchronize(error);
}

} // namespace mamba::python
