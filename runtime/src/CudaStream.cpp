//===- CudaStream.cpp - Streams, timing events, device copies -------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda.h"

namespace mamba::runtime::cuda {

Stream &Stream::operator=(Stream &&other) noexcept {
  if (this == &other)
    return *this;
  destroy();
  context_ = std::exchange(other.context_, nullptr);
  stream_ = std::exchange(other.stream_, nullptr);
  return *this;
}

bool Stream::create(const Device &device, std::string &error) {
  destroy();
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  CUstream stream;
  // Non-blocking: no implicit ordering with the legacy default stream, which
  // other libraries in the process may use.
  if (!check(api().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
             "cuStreamCreate", "creating a stream on " + device.describe(),
             error))
    return false;
  context_ = device.context();
  stream_ = stream;
  return true;
}

void Stream::destroy() {
  if (stream_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok())
      api().cuStreamDestroy(stream_);
  }
  context_ = nullptr;
  stream_ = nullptr;
}

bool Stream::synchronize(std::string &error) const {
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuStreamSynchronize(stream_), "cuStreamSynchronize",
               "waiting for the stream's work", error);
}

Graph &Graph::operator=(Graph &&other) noexcept {
  if (this == &other)
    return *this;
  destroy();
  context_ = std::exchange(other.context_, nullptr);
  graph_ = std::exchange(other.graph_, nullptr);
  exec_ = std::exchange(other.exec_, nullptr);
  return *this;
}

bool Graph::capture(const Stream &stream, const Device &device,
                    const std::function<bool(CUstream, std::string &)> &enqueue,
                    std::string &error) {
  destroy();
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  const DriverApi &d = api();
  // Thread-local: another thread's unrelated CUDA calls neither break the
  // capture nor get captured.
  if (!check(d.cuStreamBeginCapture(stream.handle(),
                                    CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
             "cuStreamBeginCapture", "starting a graph capture", error))
    return false;
  std::string enqueueError;
  bool enqueued = enqueue(stream.handle(), enqueueError);
  CUgraph graph = nullptr;
  CUresult ended = d.cuStreamEndCapture(stream.handle(), &graph);
  if (!enqueued) {
    if (graph)
      d.cuGraphDestroy(graph);
    error = "while capturing a graph: " + enqueueError;
    return false;
  }
  if (!check(ended, "cuStreamEndCapture", "ending a graph capture", error))
    return false;
  CUgraphExec exec = nullptr;
  if (!check(d.cuGraphInstantiate(&exec, graph, 0), "cuGraphInstantiate",
             "instantiating a captured graph", error)) {
    d.cuGraphDestroy(graph);
    return false;
  }
  context_ = device.context();
  graph_ = graph;
  exec_ = exec;
  return true;
}

void Graph::destroy() {
  if (exec_ || graph_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok()) {
      if (exec_)
        api().cuGraphExecDestroy(exec_);
      if (graph_)
        api().cuGraphDestroy(graph_);
    }
  }
  context_ = nullptr;
  graph_ = nullptr;
  exec_ = nullptr;
}

bool Graph::launch(CUstream stream, std::string &error) const {
  if (!exec_) {
    error = "launching a graph that was not captured";
    return false;
  }
  ScopedContext scope(context_, error);
  return scope.ok() && check(api().cuGraphLaunch(exec_, stream),
                             "cuGraphLaunch", "replaying a graph", error);
}

bool copyToHostAsync(const Device &device, CUdeviceptr source,
                     void *destination, uint64_t bytes, CUstream stream,
                     std::string &error) {
  if (bytes == 0)
    return true;
  ScopedContext scope(device.context(), error);
  return scope.ok() &&
         check(api().cuMemcpyDtoHAsync(destination, source, bytes, stream),
               "cuMemcpyDtoHAsync",
               "copying " + std::to_string(bytes) + " bytes to the host",
               error);
}

bool copyFromHostAsync(const Device &device, const void *source,
                       CUdeviceptr destination, uint64_t bytes, CUstream stream,
                       std::string &error) {
  if (bytes == 0)
    return true;
  ScopedContext scope(device.context(), error);
  return scope.ok() &&
         check(api().cuMemcpyHtoDAsync(destination, source, bytes, stream),
               "cuMemcpyHtoDAsync",
               "copying " + std::to_string(bytes) + " bytes to the device",
               error);
}

bool memoryInfo(const Device &device, uint64_t &freeBytes, uint64_t &totalBytes,
                std::string &error) {
  ScopedContext scope(device.context(), error);
  size_t free = 0, total = 0;
  if (!scope.ok() || !check(api().cuMemGetInfo(&free, &total), "cuMemGetInfo",
                            "reading the device's memory", error))
    return false;
  freeBytes = free;
  totalBytes = total;
  return true;
}

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

bool DeviceBuffer::copyFromDevice(const DeviceBuffer &source, uint64_t bytes,
                                  CUstream stream, std::string &error) {
  if (bytes > size_ || bytes > source.size_) {
    error = "cannot copy " + std::to_string(bytes) +
            " bytes from a buffer of " + std::to_string(source.size_) +
            " into one of " + std::to_string(size_);
    return false;
  }
  if (bytes == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(
             api().cuMemcpyDtoDAsync(address_, source.address_, bytes, stream),
             "cuMemcpyDtoDAsync",
             "copying " + std::to_string(bytes) + " bytes on the device",
             error);
}

} // namespace mamba::runtime::cuda
