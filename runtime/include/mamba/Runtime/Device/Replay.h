//===- Replay.h - Steps recorded once, replayed as one ----------*- C++ -*-===//
//
// Part of the device interface (Backend.h): what a function enqueues,
// captured once and replayed with one call (a CUDA graph: a decode step's
// dozens of launches for the CPU time of one). The captured work keeps its
// operands' addresses.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_REPLAY_H
#define MAMBA_RUNTIME_DEVICE_REPLAY_H

#include <string>

namespace mamba::runtime {

class Queue;

class Replay {
public:
  virtual ~Replay() = default;

  virtual bool launch(Queue &queue, std::string &error) const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_REPLAY_H
