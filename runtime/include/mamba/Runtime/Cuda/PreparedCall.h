//===- PreparedCall.h - Calls of compiled functions -------------*- C++ -*-===//
//
// A compiled function's launches checked, planned and packed once, then
// enqueued; and one-off calls that allocate their results.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_PREPAREDCALL_H
#define MAMBA_RUNTIME_CUDA_PREPAREDCALL_H

#include "mamba/Runtime/Cuda/DeviceBuffer.h"
#include "mamba/Runtime/Cuda/LoadedModule.h"
#include "mamba/Runtime/LaunchPlan.h"

#include <cuda.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::runtime::cuda {

/// A result of a function: a buffer with its shape and element type.
struct DeviceTensor {
  ElementType element = ElementType::F32;
  Shape shape;
  DeviceBuffer buffer;

  TensorRef ref() const { return TensorRef{buffer.address(), shape}; }
};

/// One call of a compiled function with its buffers bound: checked,
/// planned and packed once, then enqueued any number of times with nothing
/// but cuLaunchKernel per kernel (benchmark loops, decode steps, graph
/// capture). The buffers must outlive it; the module too. The function's
/// scratch buffers are allocated by prepare() and owned by the call.
class PreparedCall {
public:
  /// Checks the shapes and buffers against the function, evaluates every
  /// launch and the kernels' own limits, and packs the parameters. Nothing
  /// runs.
  bool prepare(const LoadedModule &module, const std::string &functionName,
               const std::vector<TensorRef> &args,
               const std::vector<TensorRef> &results, std::string &error);
  /// The same call on tensors of the same shapes at other addresses: the
  /// parameters packed again, nothing planned or allocated (the scratch
  /// buffers stay). Launches already enqueued are unaffected.
  bool rebind(const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results, std::string &error);
  /// Enqueues the launches in order on `stream` without waiting (with the
  /// module's context current, whatever the calling thread has).
  bool enqueue(CUstream stream, std::string &error) const;
  bool isPrepared() const { return prepared_; }
  /// "scan_kernel grid 24x1x1 block 64x1x1", one launch per line, for logs.
  std::string describe() const;
  /// "scan_kernel, carry_kernel": the kernels in launch order.
  const std::string &kernelList() const { return kernelList_; }

private:
  struct Launch {
    CUfunction kernel = nullptr;
    LaunchDims dims;
    std::vector<uint64_t> params;
    std::string name; ///< the kernel's
    std::string what; ///< for errors
  };
  bool prepared_ = false;
  const FunctionSpec *fn_ = nullptr;
  CUcontext context_ = nullptr;
  std::vector<Shape> argShapes_, resultShapes_;
  std::vector<TensorRef> scratchRefs_;
  std::string functionName_, kernelList_;
  std::vector<Launch> launches_;
  std::vector<DeviceBuffer> scratch_;
};

/// Evaluates the result shapes of `functionName` for these argument shapes
/// and allocates the results (uninitialized).
bool allocateResults(const LoadedModule &module,
                     const std::string &functionName,
                     const std::vector<Shape> &argShapes,
                     std::vector<DeviceTensor> &results, std::string &error);

/// Runs the launches of `functionName` in order on `stream` and waits for
/// them. `results` must have the shapes allocateResults gives. Launch limits
/// (grid, block, threads and shared memory, for the device and for each
/// kernel) are checked before anything is launched.
bool launchFunction(const LoadedModule &module, const std::string &functionName,
                    const std::vector<TensorRef> &args,
                    const std::vector<TensorRef> &results, std::string &error,
                    CUstream stream = nullptr);

/// allocateResults, then launchFunction.
bool runFunction(const LoadedModule &module, const std::string &functionName,
                 const std::vector<TensorRef> &args,
                 std::vector<DeviceTensor> &results, std::string &error,
                 CUstream stream = nullptr);

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_PREPAREDCALL_H
