//===- Event.h - A point in a queue, for timing -----------------*- C++ -*-===//
//
// Part of the device interface (Backend.h). The time between two events is
// the backend's own (GPU time on CUDA), not the host's.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_EVENT_H
#define MAMBA_RUNTIME_DEVICE_EVENT_H

#include <string>

namespace mamba::runtime {

class Queue;

class Event {
public:
  virtual ~Event() = default;

  /// Marks the point the queue has reached.
  virtual bool record(Queue &queue, std::string &error) = 0;
  /// Waits until the queue has passed the recorded point.
  virtual bool synchronize(std::string &error) = 0;
  /// Milliseconds from `start` (of the same backend) to this event; both
  /// recorded and passed.
  virtual bool elapsedSince(const Event &start, float &ms,
                            std::string &error) const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_EVENT_H
