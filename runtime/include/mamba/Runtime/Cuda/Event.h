//===- Event.h - Timing events ----------------------------------*- C++ -*-===//
//
// Points recorded on a stream, and the GPU time between two of them.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_EVENT_H
#define MAMBA_RUNTIME_CUDA_EVENT_H

#include "mamba/Runtime/Cuda/Device.h"

#include <cuda.h>

#include <string>
#include <utility>

namespace mamba::runtime::cuda {

/// A timing event. Elapsed times between two recorded events are measured
/// by the GPU, so they hold the device's time alone, not the host's.
class Event {
public:
  Event() = default;
  ~Event() { destroy(); }
  Event(Event &&other) noexcept { *this = std::move(other); }
  Event &operator=(Event &&other) noexcept;
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;

  bool create(const Device &device, std::string &error);
  void destroy();
  bool record(CUstream stream, std::string &error);
  bool synchronize(std::string &error) const;
  /// Milliseconds from `start` to `end`; both recorded and completed.
  static bool elapsedMs(const Event &start, const Event &end, float &ms,
                        std::string &error);

private:
  CUcontext context_ = nullptr;
  CUevent event_ = nullptr;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_EVENT_H
