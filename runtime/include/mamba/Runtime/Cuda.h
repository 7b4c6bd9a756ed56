//===- Cuda.h - Running modules through the CUDA driver ---------*- C++ -*-===//
//
// The GPU half of the runtime: a device and its primary context, device
// buffers, a module file's kernels loaded onto a device, and running a
// compiled function. Only the CUDA driver API is used, and libcuda.so.1 is
// opened at run time rather than linked, so that a program built with this
// library starts on a machine without the NVIDIA driver and can report that
// there is no GPU instead of failing to load.
//
// Every driver call is checked; a failure is a false return with a message
// naming the call, the CUresult (its name and text) and what was being done.
// No exception leaves this API.
//
// Lifetimes: a Device must outlive the buffers and modules made on it, and a
// ModuleFile the LoadedModule made from it. Each operation makes the right
// context current for its own duration, so callers need not manage contexts.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_H
#define MAMBA_RUNTIME_CUDA_H

#include "mamba/Runtime/Format.h"
#include "mamba/Runtime/LaunchPlan.h"

#include <cuda.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mamba::runtime::cuda {

/// Opens the driver library, initializes it and counts the devices. False,
/// with the reason, when there is no usable driver: callers treat that as
/// "no GPU on this machine". A count of 0 is a success.
bool countDevices(int &count, std::string &error);

/// One GPU, used through its primary context (the one the CUDA runtime and
/// other libraries in the process share).
class Device {
public:
  Device() = default;
  ~Device() { close(); }
  Device(Device &&other) noexcept { *this = std::move(other); }
  Device &operator=(Device &&other) noexcept;
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  /// Retains the primary context of device `ordinal` and reads its
  /// properties and limits.
  bool open(int ordinal, std::string &error);
  void close();
  bool isOpen() const { return context_ != nullptr; }

  int ordinal() const { return ordinal_; }
  CUdevice handle() const { return device_; }
  CUcontext context() const { return context_; }
  const std::string &name() const { return name_; }
  unsigned computeMajor() const { return major_; }
  unsigned computeMinor() const { return minor_; }
  /// "sm_90" for compute capability 9.0.
  std::string chipName() const;
  const DeviceLimits &limits() const { return limits_; }
  int multiprocessors() const { return multiprocessors_; }
  /// The peak SM clock, in kHz, as the driver reports it.
  int clockKHz() const { return clockKHz_; }
  int64_t l2Bytes() const { return l2Bytes_; }
  /// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)", for logs.
  std::string describe() const;

private:
  int ordinal_ = -1;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string name_;
  unsigned major_ = 0, minor_ = 0;
  int multiprocessors_ = 0;
  int clockKHz_ = 0;
  int64_t l2Bytes_ = 0;
  DeviceLimits limits_;
};

/// Device memory from cuMemAlloc, freed on destruction. Move-only.
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer &&other) noexcept { *this = std::move(other); }
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  /// Frees what was held, then allocates `bytes` on `device`. Zero bytes
  /// allocate nothing and leave address() 0 (the driver refuses them).
  bool allocate(const Device &device, uint64_t bytes, std::string &error);
  /// Frees the memory; a failure here cannot be reported and is ignored.
  void release();

  CUdeviceptr address() const { return address_; }
  uint64_t size() const { return size_; }

  /// Synchronous copies of `bytes` bytes of the buffer, from byte `offset`.
  bool copyFromHost(const void *source, uint64_t bytes, std::string &error,
                    uint64_t offset = 0);
  bool copyToHost(void *destination, uint64_t bytes, std::string &error,
                  uint64_t offset = 0) const;
  /// Fills the buffer with a 16- or 32-bit pattern (e.g. a NaN, to find
  /// elements a kernel failed to write); the size must be a multiple of it.
  bool fill16(uint16_t pattern, std::string &error);
  bool fill32(uint32_t pattern, std::string &error);
  /// Enqueues a copy of the first `bytes` bytes of `source` into this
  /// buffer on `stream` (device to device; both on this buffer's device).
  bool copyFromDevice(const DeviceBuffer &source, uint64_t bytes,
                      CUstream stream, std::string &error);

private:
  CUcontext context_ = nullptr;
  CUdeviceptr address_ = 0;
  uint64_t size_ = 0;
};

/// A non-blocking stream of the device's primary context. Move-only.
class Stream {
public:
  Stream() = default;
  ~Stream() { destroy(); }
  Stream(Stream &&other) noexcept { *this = std::move(other); }
  Stream &operator=(Stream &&other) noexcept;
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;

  bool create(const Device &device, std::string &error);
  void destroy();
  CUstream handle() const { return stream_; }
  /// Waits for everything enqueued; kernel faults surface here.
  bool synchronize(std::string &error) const;

private:
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
};

/// Work captured from a stream once and replayed with one launch: a decode
/// step's dozens of kernels and GEMMs cost one launch's CPU time. The
/// captured work keeps its buffer addresses. Move-only.
class Graph {
public:
  Graph() = default;
  ~Graph() { destroy(); }
  Graph(Graph &&other) noexcept { *this = std::move(other); }
  Graph &operator=(Graph &&other) noexcept;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  /// Captures what `enqueue` puts on `stream` (nothing runs) and
  /// instantiates it. An error from `enqueue` ends the capture and is
  /// returned.
  bool capture(const Stream &stream, const Device &device,
               const std::function<bool(CUstream, std::string &)> &enqueue,
               std::string &error);
  void destroy();
  bool isCaptured() const { return exec_ != nullptr; }
  bool launch(CUstream stream, std::string &error) const;

private:
  CUcontext context_ = nullptr;
  CUgraph graph_ = nullptr;
  CUgraphExec exec_ = nullptr;
};

/// Asynchronous copies between host memory and a device address (for
/// buffers that are views into larger ones); `stream`'s context must be
/// `device`'s.
bool copyToHostAsync(const Device &device, CUdeviceptr source,
                     void *destination, uint64_t bytes, CUstream stream,
                     std::string &error);
bool copyFromHostAsync(const Device &device, const void *source,
                       CUdeviceptr destination, uint64_t bytes, CUstream stream,
                       std::string &error);

/// The device's free and total memory, as the driver reports them.
bool memoryInfo(const Device &device, uint64_t &freeBytes, uint64_t &totalBytes,
                std::string &error);

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

/// A result of a function: a buffer with its shape and element type.
struct DeviceTensor {
  ElementType element = ElementType::F32;
  Shape shape;
  DeviceBuffer buffer;

  TensorRef ref() const { return TensorRef{buffer.address(), shape}; }
};

/// The kernels of a module file, loaded onto one device.
class LoadedModule {
public:
  LoadedModule() = default;
  ~LoadedModule() { unload(); }
  LoadedModule(const LoadedModule &) = delete;
  LoadedModule &operator=(const LoadedModule &) = delete;

  /// Loads, for every gpu module some launch uses, the image that
  /// ModuleFile::selectImage picks for the device (a PTX image is JIT
  /// compiled, and its errors come back with the JIT's log), then looks up
  /// every launched kernel and checks that its parameter list has the
  /// length the module file describes.
  bool load(const ModuleFile &file, const Device &device, std::string &error);
  void unload();
  bool isLoaded() const { return file_ != nullptr; }

  const ModuleFile &file() const { return *file_; }
  const Device &device() const { return *device_; }
  /// The kernel a launch runs (looked up by load()); nullptr if unknown.
  CUfunction kernel(const LaunchSpec &launch) const;
  /// "scan_kernel: cubin sm_90a", one line per gpu module, for logs.
  std::string describeImages() const;

private:
  struct Loaded {
    const KernelImage *image = nullptr;
    CUmodule handle = nullptr;
  };
  const ModuleFile *file_ = nullptr;
  const Device *device_ = nullptr;
  std::vector<Loaded> modules_;
  std::map<std::pair<std::string, std::string>, CUfunction> kernels_;
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
  /// Enqueues the launches in order on `stream` without waiting.
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

#endif // MAMBA_RUNTIME_CUDA_H
