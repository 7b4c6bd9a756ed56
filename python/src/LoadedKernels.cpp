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
  return program_ != nullptr;
}

std::string LoadedKernels::deviceKind() const {
  return device_.isOpen() ? device_.backend().kind() : "";
}

runtime::Queue *LoadedKernels::queueFor(uint64_t handle, std::string &error) {
  std::unique_ptr<runtime::Queue> &queue = queues_[handle];
  if (!queue)
    queue = device_.backend().borrowQueue(handle, error);
  if (!queue)
    queues_.erase(handle);
  return queue.get();
}

namespace {

/// "function|shape,shape;|shape;": what one prepared step serves.
std::string stepKey(const std::string &function,
                    const std::vector<runtime::TensorRef> &args,
                    const std::vector<runtime::TensorRef> &results) {
  std::string key = function;
  for (const auto *tensors : {&args, &results}) {
    key += '|';
    for (const runtime::TensorRef &t : *tensors) {
      for (int64_t size : t.shape)
        key += std::to_string(size) + ',';
      key += ';';
    }
  }
  return key;
}

/// Prepared steps kept per queue before they are all dropped: shapes vary in a
/// prefill (batch, length), rarely past this many in one process.
constexpr size_t kMaxSteps = 256;

} // namespace

bool LoadedKernels::call(const std::string &function,
                         const std::vector<runtime::TensorRef> &args,
                         const std::vector<runtime::TensorRef> &results,
                         uint64_t queue, std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!program_) {
    error = "the kernels are not loaded";
    return false;
  }
  runtime::Queue *q = queueFor(queue, error);
  if (!q)
    return false;
  const std::string key = stepKey(function, args, results);
  std::map<std::string, std::unique_ptr<runtime::Step>> &steps = steps_[queue];
  auto found = steps.find(key);
  if (found != steps.end()) {
    if (!found->second->rebind(args, results, error))
      return false;
  } else {
    if (steps.size() >= kMaxSteps) {
      // This queue's steps go, once its work is done (their scratch may
      // be in use by it). Other queues' are left: their streams may be
      // gone, and synchronizing one that is is undefined.
      if (!q->synchronize(error))
        return false;
      steps.clear();
    }
    std::unique_ptr<runtime::Step> step =
        program_->prepareCall(function, args, results, error);
    if (!step)
      return false;
    found = steps.emplace(key, std::move(step)).first;
  }
  if (!found->second->enqueue(*q, error))
    return false;
  // The CPU's work is done here already; CUDA's runs on the caller's
  // stream, ordered with the caller's own work.
  return device_.backend().kind() != "cpu" || q->synchronize(error);
}

} // namespace mamba::python
