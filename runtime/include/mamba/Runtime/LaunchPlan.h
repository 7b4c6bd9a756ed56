//===- LaunchPlan.h - From argument shapes to kernel launches ---*- C++ -*-===//
//
// Everything about running a compiled function that needs no GPU: checking
// the caller's argument shapes against the function, evaluating result
// shapes and launch dimensions, and packing the kernel parameters in the
// memref-descriptor layout the kernels were compiled for. Kept apart from
// the CUDA code so that it is unit-tested on machines without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_LAUNCHPLAN_H
#define MAMBA_RUNTIME_LAUNCHPLAN_H

#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::runtime {

/// A tensor in device memory: its address (a CUdeviceptr) and its shape,
/// dense and row-major.
struct TensorRef {
  uint64_t address = 0;
  Shape shape;
};

/// What a launch may ask for. The defaults are those of every chip since
/// sm_30 with the 48 KiB of shared memory a kernel gets without opting in;
/// the CUDA layer fills in the device's real values.
struct DeviceLimits {
  int64_t maxGrid[3] = {2147483647, 65535, 65535};
  int64_t maxBlock[3] = {1024, 1024, 64};
  int64_t maxThreadsPerBlock = 1024;
  int64_t maxSharedBytesPerBlock = 48 * 1024;
};

struct LaunchDims {
  uint32_t grid[3] = {1, 1, 1};
  uint32_t block[3] = {1, 1, 1};
  uint32_t sharedBytes = 0;
};

/// The evaluated form of one call of a function.
struct FunctionPlan {
  std::vector<Shape> resultShapes;
  std::vector<uint64_t> resultBytes;
  std::vector<Shape> scratchShapes;
  std::vector<uint64_t> scratchBytes;
  std::vector<LaunchDims> launches;
};

/// Number of elements and bytes of a dense tensor; false on a negative
/// dimension or 64-bit overflow.
bool tensorBytes(ElementType element, const Shape &shape, uint64_t &bytes,
                 std::string &error);

/// The caller's shapes must match the function: the number of arguments,
/// each rank, each static dimension; no dimension may be negative.
bool checkArgShapes(const FunctionSpec &fn, const std::vector<Shape> &argShapes,
                    std::string &error);

/// Checks the argument shapes, then evaluates every result shape (and its
/// size in bytes) and every launch's grid, block and shared memory, checked
/// against `limits`. Errors name the function and the failing entry.
bool planFunction(const FunctionSpec &fn, const std::vector<Shape> &argShapes,
                  const DeviceLimits &limits, FunctionPlan &plan,
                  std::string &error);

/// Function `name` of `file`; nullptr with an error that lists the
/// functions the file has when there is none of that name.
const FunctionSpec *findFunction(const ModuleFile &file,
                                 const std::string &name, std::string &error);

/// Everything a backend checks before preparing a call of `functionName`
/// in `file` on bound tensors: the function exists (else the error lists
/// those there are), the argument shapes fit it, the results have the
/// shapes it computes, every non-empty tensor has an address, and every
/// launch fits `limits`. `fn` and `plan` get the function and its plan.
bool planCall(const ModuleFile &file, const std::string &functionName,
              const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results, const DeviceLimits &limits,
              const FunctionSpec *&fn, FunctionPlan &plan, std::string &error);

/// The alignment in bytes every buffer handed to a kernel must have.
constexpr uint64_t kBufferAlignment = 16;

/// The launch's kernel parameters, one 8-byte slot each, in order: for each
/// memref parameter of rank r, allocated pointer, aligned pointer, offset 0,
/// sizes[r], strides[r] (row-major, in elements). cuLaunchKernel takes an
/// array of pointers to the slots.
bool packKernelParams(const LaunchSpec &launch,
                      const std::vector<TensorRef> &args,
                      const std::vector<TensorRef> &results,
                      std::vector<uint64_t> &slots, std::string &error,
                      const std::vector<TensorRef> &scratch = {});

/// Whether `tensors` (a function's arguments or results, `what`) have the
/// shapes a call of `function` was prepared with; false naming the first
/// that differs. What rebinding a prepared call checks first.
bool haveShapes(const std::string &function, const char *what,
                const std::vector<Shape> &prepared,
                const std::vector<TensorRef> &tensors, std::string &error);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_LAUNCHPLAN_H
