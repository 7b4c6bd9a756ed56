//===- CudaStream.cpp - A stream of work on a device ----------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/Stream.h"

namespace mamba::runtime::cuda {

Stream &Stream::operator=(Stream &&other) noexcept {
  if (this == &other)
    return *this;
  destroy();
  context_ = std::exchange(other.context_, nullptr);
  stream_ = std::exchange(other.stream_, nullptr);
  owned_ = std::exchange(other.owned_, false);
  return *this;
}

bool Stream::create(const Device &device, std::string &error) {
  destroy();
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  CUstream stream;
  // Non-blocking: no implicit ordering with the legacy default stream, which
  // other libraries in the process may use.
  if (!check(api().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
             "cuStreamCreate", "creating a stream on " + device.describe(),
             error))
    return false;
  context_ = device.context();
  stream_ = stream;
  owned_ = true;
  return true;
}

void Stream::borrow(const Device &device, CUstream stream) {
  destroy();
  context_ = device.context();
  stream_ = stream;
}

void Stream::destroy() {
  if (stream_ && owned_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok())
      api().cuStreamDestroy(stream_);
  }
  context_ = nullptr;
  stream_ = nullptr;
  owned_ = false;
}

bool Stream::synchronize(std::string &error) const {
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuStreamSynchronize(stream_), "cuStreamSynchronize",
               "waiting for the stream's work", error);
}

} // namespace mamba::runtime::cuda
