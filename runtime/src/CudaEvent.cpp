//===- CudaEvent.cpp - Timing events --------------------------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/Event.h"

namespace mamba::runtime::cuda {

Event &Event::operator=(Event &&other) noexcept {
  if (this == &other)
    return *this;
  destroy();
  context_ = std::exchange(other.context_, nullptr);
  event_ = std::exchange(other.event_, nullptr);
  return *this;
}

bool Event::create(const Device &device, std::string &error) {
  destroy();
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  CUevent event;
  if (!check(api().cuEventCreate(&event, CU_EVENT_DEFAULT), "cuEventCreate",
             "creating a timing event on " + device.describe(), error))
    return false;
  context_ = device.context();
  event_ = event;
  return true;
}

void Event::destroy() {
  if (event_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok())
      api().cuEventDestroy(event_);
  }
  context_ = nullptr;
  event_ = nullptr;
}

bool Event::record(CUstream stream, std::string &error) {
  ScopedContext scope(context_, error);
  return scope.ok() && check(api().cuEventRecord(event_, stream),
                             "cuEventRecord", "recording an event", error);
}

bool Event::synchronize(std::string &error) const {
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuEventSynchronize(event_), "cuEventSynchronize",
               "waiting for an event", error);
}

bool Event::elapsedMs(const Event &start, const Event &end, float &ms,
                      std::string &error) {
  ScopedContext scope(start.context_, error);
  return scope.ok() &&
         check(api().cuEventElapsedTime(&ms, start.event_, end.event_),
               "cuEventElapsedTime", "reading the time between two events",
               error);
}

} // namespace mamba::runtime::cuda
