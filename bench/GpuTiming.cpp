//===- GpuTiming.cpp - How the GPU benchmarks time a compiled call --------===//

#include "GpuTiming.h"

#include <algorithm>

namespace cuda = mamba::runtime::cuda;

namespace mamba::bench {
namespace {

/// The sorted times, in ms, between events[i * stride] and
/// events[i * stride + 1] for i < count (all recorded and completed).
bool sortedIntervals(const std::vector<cuda::Event> &events, size_t stride,
                     size_t count, std::vector<double> &ms,
                     std::string &error) {
  ms.clear();
  for (size_t i = 0; i < count; ++i) {
    float t;
    if (!cuda::Event::elapsedMs(events[i * stride], events[i * stride + 1], t,
                                error))
      return false;
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  return true;
}

} // namespace

bool timeCalls(const std::vector<cuda::PreparedCall *> &calls,
               const cuda::Device &device, int runs, Timing &timing,
               std::string &error) {
  cuda::Stream stream;
  if (!stream.create(device, error))
    return false;
  for (int i = 0; i < 5; ++i)
    if (!calls[i % calls.size()]->enqueue(stream.handle(), error))
      return false;
  std::vector<cuda::Event> events(2 * runs);
  for (cuda::Event &e : events)
    if (!e.create(device, error))
      return false;
  for (int i = 0; i < runs; ++i)
    if (!events[2 * i].record(stream.handle(), error) ||
        !calls[i % calls.size()]->enqueue(stream.handle(), error) ||
        !events[2 * i + 1].record(stream.handle(), error))
      return false;
  if (!stream.synchronize(error))
    return false;
  std::vector<double> ms;
  if (!sortedIntervals(events, 2, runs, ms, error))
    return false;
  timing.medianMs = ms[ms.size() / 2];
  timing.minMs = ms.front();
  return true;
}

bool measureCopyBandwidth(const cuda::Device &device, double &bytesPerSecond,
                          std::string &error) {
  const uint64_t bytes = 1ull << 30;
  cuda::DeviceBuffer from, to;
  cuda::Stream stream;
  if (!from.allocate(device, bytes, error) ||
      !to.allocate(device, bytes, error) || !from.fill32(0x3f800000u, error) ||
      !stream.create(device, error))
    return false;
  const int runs = 20;
  std::vector<cuda::Event> events(runs + 1);
  for (cuda::Event &e : events)
    if (!e.create(device, error))
      return false;
  if (!to.copyFromDevice(from, bytes, stream.handle(), error) ||
      !events[0].record(stream.handle(), error))
    return false;
  for (int i = 0; i < runs; ++i)
    if (!to.copyFromDevice(from, bytes, stream.handle(), error) ||
        !events[i + 1].record(stream.handle(), error))
      return false;
  if (!stream.synchronize(error))
    return false;
  std::vector<double> ms;
  if (!sortedIntervals(events, 1, runs, ms, error))
    return false;
  bytesPerSecond = 2.0 * bytes / (ms[ms.size() / 2] * 1e-3);
  return true;
}

bool openBenchGpu(cuda::Device &device, double &copyBandwidth,
                  std::string &error) {
  int count = 0;
  if (!cuda::countDevices(count, error) || count == 0) {
    error = "no GPU: " + (error.empty() ? std::string("no device") : error);
    return false;
  }
  return device.open(0, error) &&
         measureCopyBandwidth(device, copyBandwidth, error);
}

bool prepareCall(const cuda::LoadedModule &module, const std::string &function,
                 const std::vector<runtime::TensorRef> &args,
                 std::vector<cuda::DeviceTensor> &results,
                 cuda::PreparedCall &call, std::string &error) {
  std::vector<runtime::Shape> shapes;
  for (const runtime::TensorRef &arg : args)
    shapes.push_back(arg.shape);
  if (!cuda::allocateResults(module, function, shapes, results, error))
    return false;
  std::vector<runtime::TensorRef> refs;
  for (cuda::DeviceTensor &r : results) {
    bool filled = r.element == runtime::ElementType::F32
                      ? r.buffer.fill32(0x7fc00000u, error)
                      : r.buffer.fill16(0x7fc0u, error);
    if (!filled)
      return false;
    refs.push_back(r.ref());
  }
  return call.prepare(module, function, args, refs, error);
}

} // namespace mamba::bench
