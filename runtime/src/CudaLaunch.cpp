//===- CudaLaunch.cpp - Running a compiled function -----------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/PreparedCall.h"

namespace mamba::runtime::cuda {

namespace {

/// The function of a loaded module (LaunchPlan.h's findFunction).
const FunctionSpec *findLoadedFunction(const LoadedModule &module,
                                       const std::string &name,
                                       std::string &error) {
  if (!module.isLoaded()) {
    error = "function '" + name + "': the module is not loaded";
    return nullptr;
  }
  return findFunction(module.file(), name, error);
}

std::vector<Shape> shapesOf(const std::vector<TensorRef> &tensors) {
  std::vector<Shape> shapes;
  for (const TensorRef &t : tensors)
    shapes.push_back(t.shape);
  return shapes;
}

/// A kernel's own limits, which depend on how it was compiled (registers,
/// static shared memory), checked so that an impossible launch is an error
/// naming the reason rather than CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES.
bool checkKernelLimits(CUfunction kernel, const LaunchDims &dims,
                       const Device &device, const std::string &where,
                       std::string &error) {
  const DriverApi &d = api();
  int maxThreads = 0, registers = 0, staticShared = 0, maxDynamicShared = 0;
  if (!check(d.cuFuncGetAttribute(
                 &maxThreads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, kernel),
             "cuFuncGetAttribute", "reading the thread limit of " + where,
             error) ||
      !check(
          d.cuFuncGetAttribute(&registers, CU_FUNC_ATTRIBUTE_NUM_REGS, kernel),
          "cuFuncGetAttribute", "reading the register count of " + where,
          error) ||
      !check(d.cuFuncGetAttribute(&staticShared,
                                  CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, kernel),
             "cuFuncGetAttribute", "reading the shared memory of " + where,
             error) ||
      !check(d.cuFuncGetAttribute(
                 &maxDynamicShared,
                 CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, kernel),
             "cuFuncGetAttribute",
             "reading the dynamic shared memory limit of " + where, error))
    return false;

  int64_t threads = int64_t(dims.block[0]) * dims.block[1] * dims.block[2];
  if (threads > maxThreads) {
    error = where + ": a block of " + std::to_string(threads) +
            " threads is more than the " + std::to_string(maxThreads) +
            " this kernel can run (it uses " + std::to_string(registers) +
            " registers per thread)";
    return false;
  }
  int64_t shared = int64_t(staticShared) + dims.sharedBytes;
  if (shared > device.limits().maxSharedBytesPerBlock) {
    error = where + ": " + std::to_string(staticShared) +
            " bytes of static + " + std::to_string(dims.sharedBytes) +
            " bytes of dynamic shared memory are more than the " +
            std::to_string(device.limits().maxSharedBytesPerBlock) +
            " a block can have on " + device.describe();
    return false;
  }
  // Past the default 48 KiB a kernel must opt in to its dynamic size.
  if (static_cast<int>(dims.sharedBytes) > maxDynamicShared &&
      !check(d.cuFuncSetAttribute(
                 kernel, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                 static_cast<int>(dims.sharedBytes)),
             "cuFuncSetAttribute",
             "allowing " + std::to_string(dims.sharedBytes) +
                 " bytes of dynamic shared memory for " + where,
             error))
    return false;
  return true;
}

} // namespace

bool allocateResults(const LoadedModule &module,
                     const std::string &functionName,
                     const std::vector<Shape> &argShapes,
                     std::vector<DeviceTensor> &results, std::string &error) {
  results.clear();
  const FunctionSpec *fn = findLoadedFunction(module, functionName, error);
  if (!fn)
    return false;
  FunctionPlan plan;
  if (!planFunction(*fn, argShapes, module.device().limits(), plan, error))
    return false;
  for (size_t r = 0; r < fn->results.size(); ++r) {
    DeviceTensor t;
    t.element = fn->results[r].element;
    t.shape = plan.resultShapes[r];
    if (!t.buffer.allocate(module.device(), plan.resultBytes[r], error)) {
      error = "function '" + functionName + "': result " + std::to_string(r) +
              " of shape " + formatShape(t.shape) + ": " + error;
      results.clear();
      return false;
    }
    results.push_back(std::move(t));
  }
  return true;
}

bool PreparedCall::prepare(const LoadedModule &module,
                           const std::string &functionName,
                           const std::vector<TensorRef> &args,
                           const std::vector<TensorRef> &results,
                           std::string &error) {
  prepared_ = false;
  launches_.clear();
  kernelList_.clear();
  if (!module.isLoaded()) {
    error = "function '" + functionName + "': the module is not loaded";
    return false;
  }
  const Device &device = module.device();
  const FunctionSpec *fn = nullptr;
  FunctionPlan plan;
  if (!planCall(module.file(), functionName, args, results, device.limits(), fn,
                plan, error))
    return false;
  functionName_ = fn->name;

  // Scratch buffers live as long as the prepared call.
  scratch_.clear();
  std::vector<TensorRef> &scratchRefs = scratchRefs_;
  scratchRefs.clear();
  for (size_t i = 0; i < plan.scratchBytes.size(); ++i) {
    scratch_.emplace_back();
    if (!scratch_.back().allocate(device, plan.scratchBytes[i], error)) {
      error = "function '" + fn->name + "': scratch buffer " +
              std::to_string(i) + " of shape " +
              formatShape(plan.scratchShapes[i]) + ": " + error;
      return false;
    }
    scratchRefs.push_back({scratch_.back().address(), plan.scratchShapes[i]});
  }

  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;

  // Check and pack every launch before the first one runs, so that a bad
  // call launches nothing.
  for (size_t l = 0; l < fn->launches.size(); ++l) {
    const LaunchSpec &spec = fn->launches[l];
    std::string where = "function '" + fn->name + "' launch " +
                        std::to_string(l) + " (kernel '" + spec.kernel + "')";
    Launch launch;
    launch.kernel = module.kernel(spec);
    if (!launch.kernel) {
      error = where + ": the kernel was not loaded";
      return false;
    }
    launch.dims = plan.launches[l];
    if (!checkKernelLimits(launch.kernel, launch.dims, device, where, error) ||
        !packKernelParams(spec, args, results, launch.params, error,
                          scratchRefs))
      return false;
    const LaunchDims &dims = launch.dims;
    launch.what =
        "launching kernel '" + spec.kernel + "' (function '" + fn->name +
        "' launch " + std::to_string(l) + ", grid " +
        std::to_string(dims.grid[0]) + "x" + std::to_string(dims.grid[1]) +
        "x" + std::to_string(dims.grid[2]) + ", block " +
        std::to_string(dims.block[0]) + "x" + std::to_string(dims.block[1]) +
        "x" + std::to_string(dims.block[2]) + ", " +
        std::to_string(dims.sharedBytes) + " bytes of dynamic shared memory)";
    launch.name = spec.kernel;
    kernelList_ += (l ? ", " : "") + spec.kernel;
    launches_.push_back(std::move(launch));
  }
  fn_ = fn;
  context_ = device.context();
  argShapes_ = shapesOf(args);
  resultShapes_ = shapesOf(results);
  prepared_ = true;
  return true;
}

bool PreparedCall::rebind(const std::vector<TensorRef> &args,
                          const std::vector<TensorRef> &results,
                          std::string &error) {
  if (!prepared_) {
    error = "the call is not prepared";
    return false;
  }
  if (!haveShapes(functionName_, "arguments", argShapes_, args, error) ||
      !haveShapes(functionName_, "results", resultShapes_, results, error))
    return false;
  for (size_t l = 0; l < launches_.size(); ++l)
    if (!packKernelParams(fn_->launches[l], args, results, launches_[l].params,
                          error, scratchRefs_))
      return false;
  return true;
}

bool PreparedCall::enqueue(CUstream stream, std::string &error) const {
  if (!prepared_) {
    error = "the call is not prepared";
    return false;
  }
  ScopedContext scope(context_, error);
  if (!scope.ok())
    return false;
  for (const Launch &launch : launches_) {
    // cuLaunchKernel reads the parameter values during the call.
    std::vector<void *> pointers;
    for (const uint64_t &slot : launch.params)
      pointers.push_back(const_cast<uint64_t *>(&slot));
    const LaunchDims &dims = launch.dims;
    if (!check(api().cuLaunchKernel(launch.kernel, dims.grid[0], dims.grid[1],
                                    dims.grid[2], dims.block[0], dims.block[1],
                                    dims.block[2], dims.sharedBytes, stream,
                                    pointers.data(), nullptr),
               "cuLaunchKernel", launch.what, error))
      return false;
  }
  return true;
}

std::string PreparedCall::describe() const {
  std::string text;
  for (const Launch &launch : launches_) {
    const LaunchDims &d = launch.dims;
    text += (text.empty() ? "" : "\n") + launch.name + " grid " +
            std::to_string(d.grid[0]) + "x" + std::to_string(d.grid[1]) + "x" +
            std::to_string(d.grid[2]) + " block " + std::to_string(d.block[0]) +
            "x" + std::to_string(d.block[1]) + "x" + std::to_string(d.block[2]);
  }
  return text;
}

bool launchFunction(const LoadedModule &module, const std::string &functionName,
                    const std::vector<TensorRef> &args,
                    const std::vector<TensorRef> &results, std::string &error,
                    CUstream stream) {
  PreparedCall call;
  if (!call.prepare(module, functionName, args, results, error))
    return false;
  ScopedContext scope(module.device().context(), error);
  if (!scope.ok() || !call.enqueue(stream, error))
    return false;
  // Faults inside a kernel surface here, not at the launch.
  return check(api().cuStreamSynchronize(stream), "cuStreamSynchronize",
               "running function '" + functionName + "' (kernels " +
                   call.kernelList() + ")",
               error);
}

bool runFunction(const LoadedModule &module, const std::string &functionName,
                 const std::vector<TensorRef> &args,
                 std::vector<DeviceTensor> &results, std::string &error,
                 CUstream stream) {
  if (!allocateResults(module, functionName, shapesOf(args), results, error))
    return false;
  std::vector<TensorRef> refs;
  for (const DeviceTensor &t : results)
    refs.push_back(t.ref());
  if (!launchFunction(module, functionName, args, refs, error, stream)) {
    results.clear();
    return false;
  }
  return true;
}

} // namespace mamba::runtime::cuda
