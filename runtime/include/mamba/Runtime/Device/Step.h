//===- Step.h - One prepared step of an entry -------------------*- C++ -*-===//
//
// Part of the device interface (Backend.h): a kernel call or a GEMM with
// its operands bound, checked and packed once by the backend, then
// enqueued any number of times with nothing else to decide.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_STEP_H
#define MAMBA_RUNTIME_DEVICE_STEP_H

#include "mamba/Runtime/LaunchPlan.h"

#include <string>
#include <vector>

namespace mamba::runtime {

class Queue;

class Step {
public:
  virtual ~Step() = default;

  virtual bool enqueue(Queue &queue, std::string &error) const = 0;
  /// The same kernel call on other tensors of the same shapes: only the
  /// addresses change, nothing is planned or allocated again, so a caller
  /// can keep one step per shape and call it on every new set of tensors
  /// (the Python ops do). A step already enqueued is unaffected. Kernel
  /// calls can; other steps refuse.
  virtual bool rebind(const std::vector<TensorRef> &args,
                      const std::vector<TensorRef> &results,
                      std::string &error) {
    (void)args, (void)results;
    error = describe() + ": this step cannot be rebound to other tensors";
    return false;
  }
  /// The kernel function it runs, or its GEMM ("gemm bf16 M=3072 N=128
  /// K=768 batch 1 [w^T x]"), for logs and profiles.
  virtual std::string describe() const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_STEP_H
