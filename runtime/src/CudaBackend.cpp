//===- CudaBackend.cpp - The CUDA device behind the device interface ------===//
//
// Thin adapters: each interface object owns the CUDA object that does the
// work (DeviceBuffer, Stream, Event, Graph, LoadedModule + Blas,
// PreparedCall, PreparedGemm), so the CUDA classes stay usable on their
// own by the kernel tests and benchmarks.
//
//===----------------------------------------------------------------------===//

#include "mamba/Runtime/Cuda/Backend.h"

#include "mamba/Runtime/Cuda/DeviceBuffer.h"
#include "mamba/Runtime/Cuda/Event.h"
#include "mamba/Runtime/Cuda/Gemm.h"
#include "mamba/Runtime/Cuda/Graph.h"
#include "mamba/Runtime/Cuda/LoadedModule.h"
#include "mamba/Runtime/Cuda/PreparedCall.h"
#include "mamba/Runtime/Cuda/Stream.h"

#include <algorithm>
#include <map>
#include <vector>

namespace mamba::runtime::cuda {

namespace {

class CudaBuffer final : public Buffer {
public:
  DeviceBuffer memory;

  uint64_t address() const override { return memory.address(); }
  uint64_t size() const override { return memory.size(); }
  bool copyFromHost(const void *source, uint64_t bytes, uint64_t offset,
                    std::string &error) override {
    return memory.copyFromHost(source, bytes, error, offset);
  }
  bool copyToHost(void *destination, uint64_t bytes, uint64_t offset,
                  std::string &error) const override {
    return memory.copyToHost(destination, bytes, error, offset);
  }
};

class CudaQueue final : public Queue {
public:
  CudaQueue(const CudaBackend &backend) : backend_(backend) {}

  Stream stream;

  const Backend &backend() const override { return backend_; }
  bool copyFromHost(const void *source, uint64_t destination, uint64_t bytes,
                    std::string &error) override {
    return copyFromHostAsync(backend_.device(), source, destination, bytes,
                             stream.handle(), error);
  }
  bool copyToHost(uint64_t source, void *destination, uint64_t bytes,
                  std::string &error) override {
    return copyToHostAsync(backend_.device(), source, destination, bytes,
                           stream.handle(), error);
  }
  bool synchronize(std::string &error) override {
    return stream.synchronize(error);
  }

private:
  const CudaBackend &backend_;
};

/// The stream of `queue` if `backend` made or borrowed it, else an error
/// naming `what`.
bool streamFor(const CudaBackend &backend, const Queue &queue, const char *what,
               CUstream &stream, std::string &error) {
  if (backend.streamOf(queue, stream))
    return true;
  error = std::string(what) + ": the queue is not this CUDA device's";
  return false;
}

class CudaEventImpl final : public runtime::Event {
public:
  CudaEventImpl(const CudaBackend &backend) : backend_(backend) {}

  cuda::Event event;

  bool record(Queue &queue, std::string &error) override {
    CUstream s;
    return streamFor(backend_, queue, "recording an event", s, error) &&
           event.record(s, error);
  }
  bool synchronize(std::string &error) override {
    return event.synchronize(error);
  }
  bool elapsedSince(const runtime::Event &start, float &ms,
                    std::string &error) const override {
    auto *from = dynamic_cast<const CudaEventImpl *>(&start);
    if (!from) {
      error = "timing between events of different backends";
      return false;
    }
    return cuda::Event::elapsedMs(from->event, event, ms, error);
  }

private:
  const CudaBackend &backend_;
};

class CudaReplay final : public Replay {
public:
  CudaReplay(const CudaBackend &backend) : backend_(backend) {}

  Graph graph;

  bool launch(Queue &queue, std::string &error) const override {
    CUstream s;
    return streamFor(backend_, queue, "replaying a graph", s, error) &&
           graph.launch(s, error);
  }

private:
  const CudaBackend &backend_;
};

class KernelStep final : public Step {
public:
  KernelStep(const CudaBackend &backend, std::string function)
      : backend_(backend), function_(std::move(function)) {}

  PreparedCall call;

  bool enqueue(Queue &queue, std::string &error) const override {
    CUstream s;
    return streamFor(backend_, queue, function_.c_str(), s, error) &&
           call.enqueue(s, error);
  }
  bool rebind(const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results,
              std::string &error) override {
    return call.rebind(args, results, error);
  }
  std::string describe() const override { return function_; }

private:
  const CudaBackend &backend_;
  std::string function_;
};

class GemmStep final : public Step {
public:
  GemmStep(const CudaBackend &backend) : backend_(backend) {}

  PreparedGemm gemm;

  bool enqueue(Queue &queue, std::string &error) const override {
    CUstream s;
    return streamFor(backend_, queue, "a GEMM", s, error) &&
           gemm.enqueue(s, error);
  }
  std::string describe() const override { return gemm.describe(); }

private:
  const CudaBackend &backend_;
};

class CudaProgram final : public Program {
public:
  CudaProgram(const CudaBackend &backend) : backend_(backend) {}

  LoadedModule kernels;
  Blas blas;

  std::unique_ptr<Step> prepareCall(const std::string &function,
                                    const std::vector<TensorRef> &args,
                                    const std::vector<TensorRef> &results,
                                    std::string &error) override {
    auto step = std::make_unique<KernelStep>(backend_, function);
    if (!step->call.prepare(kernels, function, args, results, error))
      return nullptr;
    return step;
  }
  std::unique_ptr<Step> prepareGemm(const GemmProblem &problem,
                                    std::string &error) override {
    auto step = std::make_unique<GemmStep>(backend_);
    if (!step->gemm.prepare(blas, problem, error))
      return nullptr;
    return step;
  }
  void setGemmTuning(bool enabled) override {
    blas.setAlgorithmTuning(enabled);
  }
  void endPreparation() override { blas.releaseTuningBuffers(); }
  /// "12 kernel modules (cubin sm_90a); cuBLASLt 130200 (...)": the
  /// per-module list is LoadedModule::describeImages().
  std::string describe() const override {
    std::map<std::string, int> images;
    std::string lines = kernels.describeImages();
    for (size_t at = 0, end; (end = lines.find('\n', at)) != std::string::npos;
         at = end + 1) {
      std::string line = lines.substr(at, end - at);
      ++images[line.substr(line.find(": ") + 2)];
    }
    std::string text;
    int modules = 0;
    for (const auto &[image, count] : images) {
      text += (text.empty() ? "" : ", ") + image;
      modules += count;
    }
    return std::to_string(modules) + " kernel modules (" + text + "); " +
           blas.describe();
  }

private:
  const CudaBackend &backend_;
};

} // namespace

bool CudaBackend::streamOf(const Queue &queue, CUstream &stream) const {
  if (&queue.backend() != this)
    return false;
  stream = static_cast<const CudaQueue &>(queue).stream.handle();
  return true;
}

std::unique_ptr<Buffer> CudaBackend::allocate(uint64_t bytes,
                                              std::string &error) {
  auto buffer = std::make_unique<CudaBuffer>();
  if (!buffer->memory.allocate(device_, bytes, error))
    return nullptr;
  return buffer;
}

std::unique_ptr<Queue> CudaBackend::createQueue(std::string &error) {
  auto queue = std::make_unique<CudaQueue>(*this);
  if (!queue->stream.create(device_, error))
    return nullptr;
  return queue;
}

std::unique_ptr<Queue> CudaBackend::borrowQueue(uint64_t handle,
                                                std::string &) {
  auto queue = std::make_unique<CudaQueue>(*this);
  queue->stream.borrow(device_, reinterpret_cast<CUstream>(handle));
  return queue;
}

std::unique_ptr<runtime::Event> CudaBackend::createEvent(std::string &error) {
  auto event = std::make_unique<CudaEventImpl>(*this);
  if (!event->event.create(device_, error))
    return nullptr;
  return event;
}

std::unique_ptr<Program> CudaBackend::load(const ModuleFile &file,
                                           std::string &error) {
  auto program = std::make_unique<CudaProgram>(*this);
  if (!program->kernels.load(file, device_, error) ||
      !program->blas.open(device_, error))
    return nullptr;
  return program;
}

std::unique_ptr<Replay> CudaBackend::capture(Queue &queue,
                                             const EnqueueFn &enqueue,
                                             std::string &error) {
  CUstream s;
  if (!streamFor(*this, queue, "capturing a graph", s, error))
    return nullptr;
  auto replay = std::make_unique<CudaReplay>(*this);
  if (!replay->graph.capture(
          static_cast<CudaQueue &>(queue).stream, device_,
          [&](CUstream, std::string &e) { return enqueue(queue, e); }, error))
    return nullptr;
  return replay;
}

bool CudaBackend::measureCopyBandwidth(Queue &queue, double &bytesPerSecond,
                                       std::string &error) {
  // Median of 9 device-to-device copies of 512 MiB, far beyond the L2
  // cache, after one to warm up; a copy reads and writes each byte.
  const uint64_t bytes = 512ull << 20;
  CUstream s;
  DeviceBuffer a, b;
  cuda::Event start, end;
  if (!streamFor(*this, queue, "measuring the copy bandwidth", s, error) ||
      !a.allocate(device_, bytes, error) ||
      !b.allocate(device_, bytes, error) || !start.create(device_, error) ||
      !end.create(device_, error))
    return false;
  std::vector<double> rates;
  for (int i = 0; i < 10; ++i) {
    float ms = 0;
    if (!start.record(s, error) || !b.copyFromDevice(a, bytes, s, error) ||
        !end.record(s, error) || !end.synchronize(error) ||
        !cuda::Event::elapsedMs(start, end, ms, error))
      return false;
    if (i > 0)
      rates.push_back(2.0 * bytes / (ms * 1e-3));
  }
  std::sort(rates.begin(), rates.end());
  bytesPerSecond = rates[rates.size() / 2];
  return true;
}

bool CudaBackend::memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                             std::string &error) const {
  return cuda::memoryInfo(device_, freeBytes, totalBytes, error);
}

} // namespace mamba::runtime::cuda
