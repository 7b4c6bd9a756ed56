//===- Stream.h - A stream of work on a device ------------------*- C++ -*-===//
//
// The one queue a model's work goes to, in order.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_STREAM_H
#define MAMBA_RUNTIME_CUDA_STREAM_H

#include "mamba/Runtime/Cuda/Device.h"

#include <cuda.h>

#include <string>
#include <utility>

namespace mamba::runtime::cuda {

/// A non-blocking stream of the device's primary context. Move-only.
class Stream {
public:
  Stream() = default;
  ~Stream() { destroy(); }
  Stream(Stream &&other) noexcept { *this = std::move(other); }
  Stream &operator=(Stream &&other) noexcept;
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;

  bool create(const Device &device, std::string &error);
  /// Uses `stream`, which the caller made on the device's primary context
  /// (0: the legacy default stream) and keeps alive: never destroyed here.
  void borrow(const Device &device, CUstream stream);
  void destroy();
  CUstream handle() const { return stream_; }
  /// Waits for everything enqueued; kernel faults surface here.
  bool synchronize(std::string &error) const;

private:
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  bool owned_ = false;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_STREAM_H
