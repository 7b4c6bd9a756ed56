//===- Queue.h - The ordered work of one model ------------------*- C++ -*-===//
//
// Part of the device interface (Backend.h): steps, copies and timing events
// run in the order they are enqueued (a CUDA stream; on the CPU, the
// calling thread). Enqueueing may return before the work is done;
// synchronize() waits for it and reports what failed while running.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_QUEUE_H
#define MAMBA_RUNTIME_DEVICE_QUEUE_H

#include <cstdint>
#include <string>

namespace mamba::runtime {

class Backend;

class Queue {
public:
  virtual ~Queue() = default;

  /// The backend this queue runs on: steps, events and replays of another
  /// backend refuse it.
  virtual const Backend &backend() const = 0;
  /// Ordered copies between host memory and a backend address (a buffer's
  /// address plus an offset). The host memory must stay valid, and a
  /// destination unread, until the queue reaches the copy.
  virtual bool copyFromHost(const void *source, uint64_t destination,
                            uint64_t bytes, std::string &error) = 0;
  virtual bool copyToHost(uint64_t source, void *destination, uint64_t bytes,
                          std::string &error) = 0;
  /// Waits for everything enqueued so far.
  virtual bool synchronize(std::string &error) = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_QUEUE_H
