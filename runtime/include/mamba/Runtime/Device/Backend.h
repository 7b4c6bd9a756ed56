//===- Backend.h - The device interface -------------------------*- C++ -*-===//
//
// What the host core (Model, PreparedEntry, Generator) asks of a device,
// and all it asks: memory, a queue, timing events, a module's code loaded
// as steps, and optionally replaying recorded work. CUDA is one
// implementation (Cuda/Backend.h); another device adds an implementation
// of these classes, not branches in the host core.
//
// Every call reports failure as a false return (or nullptr) with a message;
// nothing throws. Objects made by a backend must not outlive it, and a
// queue, step, event or replay only works with objects of its own backend.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_BACKEND_H
#define MAMBA_RUNTIME_DEVICE_BACKEND_H

#include "mamba/Runtime/Device/Buffer.h"
#include "mamba/Runtime/Device/Event.h"
#include "mamba/Runtime/Device/Program.h"
#include "mamba/Runtime/Device/Queue.h"
#include "mamba/Runtime/Device/Replay.h"
#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace mamba::runtime {

/// Work a replay records: it enqueues onto the queue it is given.
using EnqueueFn = std::function<bool(Queue &queue, std::string &error)>;

class Backend {
public:
  virtual ~Backend() = default;

  /// "cuda", "cpu": what --device names.
  virtual std::string kind() const = 0;
  /// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)", for logs.
  virtual std::string describe() const = 0;
  /// How many blocks run at once, a step's variant chosen by it (see
  /// bindEntry): multiprocessors on a GPU, threads on a CPU.
  virtual int64_t parallelism() const = 0;

  /// `bytes` of uninitialized memory, aligned for every kernel and GEMM
  /// operand (at least kArenaAlignment). Zero bytes give an empty buffer.
  virtual std::unique_ptr<Buffer> allocate(uint64_t bytes,
                                           std::string &error) = 0;
  virtual std::unique_ptr<Queue> createQueue(std::string &error) = 0;
  /// A queue over ordered work the caller owns and keeps alive (a CUstream
  /// for CUDA, 0 being the legacy default stream; 0 on the CPU): steps
  /// enqueued on it run in order with the caller's own work there, as a
  /// library called from PyTorch must. The queue never destroys it.
  virtual std::unique_ptr<Queue> borrowQueue(uint64_t handle,
                                             std::string &error) = 0;
  virtual std::unique_ptr<Event> createEvent(std::string &error) = 0;
  /// The module's code for this device; an error names the module's
  /// targets when none runs here. `file` must outlive the program.
  virtual std::unique_ptr<Program> load(const ModuleFile &file,
                                        std::string &error) = 0;

  /// Whether capture() records work for replay; if not, callers enqueue
  /// the work itself each time.
  virtual bool canReplay() const = 0;
  /// Records what `enqueue` puts on `queue` (nothing runs).
  virtual std::unique_ptr<Replay>
  capture(Queue &queue, const EnqueueFn &enqueue, std::string &error) = 0;

  /// The device's memory bandwidth for a plain copy, measured on `queue`
  /// (bytes per second): the floor profiles compare memory-bound steps to.
  virtual bool measureCopyBandwidth(Queue &queue, double &bytesPerSecond,
                                    std::string &error) = 0;
  /// Free and total device memory, for peak-memory reports.
  virtual bool memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                          std::string &error) const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_BACKEND_H
