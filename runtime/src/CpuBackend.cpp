//===- CpuBackend.cpp - The host CPU behind the device interface ----------===//

#include "mamba/Runtime/Cpu/Backend.h"

#include "mamba/Runtime/Cpu/Gemm.h"
#include "mamba/Runtime/Cpu/HostCode.h"
#include "mamba/Runtime/LaunchPlan.h"

#include <sys/sysinfo.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace mamba::runtime::cpu {

namespace {

class HostBuffer final : public Buffer {
public:
  ~HostBuffer() override { std::free(data_); }

  bool allocate(uint64_t bytes, std::string &error) {
    size_ = bytes;
    if (bytes == 0)
      return true;
    // Rounded up to the alignment, as aligned_alloc wants; the GEMMs and
    // vector loads like the operands 256-byte aligned, as on the GPU.
    const uint64_t rounded =
        (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    data_ =
        static_cast<uint8_t *>(std::aligned_alloc(kArenaAlignment, rounded));
    if (!data_) {
      error = "out of host memory for " + std::to_string(bytes) + " bytes";
      return false;
    }
    return true;
  }
  uint64_t address() const override {
    return reinterpret_cast<uintptr_t>(data_);
  }
  uint64_t size() const override { return size_; }
  bool copyFromHost(const void *source, uint64_t bytes, uint64_t offset,
                    std::string &error) override {
    if (!inside(bytes, offset, error))
      return false;
    if (bytes)
      std::memcpy(data_ + offset, source, bytes);
    return true;
  }
  bool copyToHost(void *destination, uint64_t bytes, uint64_t offset,
                  std::string &error) const override {
    if (!inside(bytes, offset, error))
      return false;
    if (bytes)
      std::memcpy(destination, data_ + offset, bytes);
    return true;
  }

private:
  bool inside(uint64_t bytes, uint64_t offset, std::string &error) const {
    if (offset <= size_ && bytes <= size_ - offset)
      return true;
    error = "cannot copy " + std::to_string(bytes) + " bytes at offset " +
            std::to_string(offset) + " of a buffer of " + std::to_string(size_);
    return false;
  }

  uint8_t *data_ = nullptr;
  uint64_t size_ = 0;
};

/// Runs everything as it is enqueued: the host is the device.
class HostQueue final : public Queue {
public:
  explicit HostQueue(const CpuBackend &backend) : backend_(backend) {}
  const Backend &backend() const override { return backend_; }
  bool copyFromHost(const void *source, uint64_t destination, uint64_t bytes,
                    std::string &) override {
    std::memcpy(reinterpret_cast<void *>(destination), source, bytes);
    return true;
  }
  bool copyToHost(uint64_t source, void *destination, uint64_t bytes,
                  std::string &) override {
    std::memcpy(destination, reinterpret_cast<const void *>(source), bytes);
    return true;
  }
  bool synchronize(std::string &) override { return true; }

private:
  const CpuBackend &backend_;
};

class HostEvent final : public Event {
public:
  bool record(Queue &, std::string &) override {
    at_ = std::chrono::steady_clock::now();
    recorded_ = true;
    return true;
  }
  bool synchronize(std::string &) override { return true; }
  bool elapsedSince(const Event &start, float &ms,
                    std::string &error) const override {
    auto *from = dynamic_cast<const HostEvent *>(&start);
    if (!from || !from->recorded_ || !recorded_) {
      error = from ? "timing between events not both recorded"
                   : "timing between events of different backends";
      return false;
    }
    ms = std::chrono::duration<float, std::milli>(at_ - from->at_).count();
    return true;
  }

private:
  std::chrono::steady_clock::time_point at_;
  bool recorded_ = false;
};

/// One kernel call: its launches' slots packed once, its scratch owned.
class KernelStep final : public Step {
public:
  struct Launch {
    HostKernel kernel = nullptr;
    uint32_t grid[3] = {1, 1, 1};
    std::vector<uint64_t> params;
  };

  KernelStep(CpuBackend &backend, std::string function)
      : backend_(backend), function_(std::move(function)) {}

  std::vector<Launch> launches;
  std::vector<std::unique_ptr<Buffer>> scratch;
  /// What rebind() packs again from.
  const FunctionSpec *fn = nullptr;
  std::vector<Shape> argShapes, resultShapes;
  std::vector<TensorRef> scratchRefs;

  bool enqueue(Queue &queue, std::string &error) const override {
    if (&queue.backend() != &backend_) {
      error = function_ + ": the queue is not this CPU backend's";
      return false;
    }
    for (const Launch &launch : launches) {
      const uint32_t gx = launch.grid[0], gy = launch.grid[1];
      const int64_t blocks = int64_t(gx) * gy * launch.grid[2];
      backend_.pool().parallelFor(blocks, [&](int64_t i) {
        const uint32_t index[3] = {uint32_t(i % gx), uint32_t(i / gx % gy),
                                   uint32_t(i / gx / gy)};
        launch.kernel(launch.params.data(), index, launch.grid);
      });
    }
    return true;
  }
  bool rebind(const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results,
              std::string &error) override {
    if (!haveShapes(function_, "arguments", argShapes, args, error) ||
        !haveShapes(function_, "results", resultShapes, results, error))
      return false;
    for (size_t l = 0; l < launches.size(); ++l)
      if (!packKernelParams(fn->launches[l], args, results, launches[l].params,
                            error, scratchRefs))
        return false;
    return true;
  }
  std::string describe() const override { return function_; }

private:
  CpuBackend &backend_;
  std::string function_;
};

class GemmStep final : public Step {
public:
  GemmStep(CpuBackend &backend, const GemmProblem &problem,
           std::vector<float> &workspace)
      : backend_(backend), problem_(problem), workspace_(workspace) {}

  bool enqueue(Queue &queue, std::string &error) const override {
    if (&queue.backend() != &backend_) {
      error = "a GEMM: the queue is not this CPU backend's";
      return false;
    }
    runGemm(problem_, workspace_, backend_.pool());
    return true;
  }
  std::string describe() const override {
    const GemmProblem &p = problem_;
    return std::string("gemm ") + elementTypeName(p.element) +
           " M=" + std::to_string(p.m) + " K=" + std::to_string(p.k) +
           " tokens=" + std::to_string(p.tokens) + " batch " +
           std::to_string(p.batch) +
           (p.xFeaturesMajor ? " x-features-major" : "") +
           (p.yFeaturesMajor ? " y-features-major" : "");
  }

private:
  CpuBackend &backend_;
  GemmProblem problem_;
  std::vector<float> &workspace_;
};

/// A launch's blocks are calls, so the grid is bounded by 32-bit indices
/// and the block must be one "thread": the compiler's CPU lowering runs a
/// block's threads as loops inside the call.
DeviceLimits hostLimits() {
  DeviceLimits limits;
  for (int i = 0; i < 3; ++i) {
    limits.maxGrid[i] = UINT32_MAX;
    limits.maxBlock[i] = 1;
  }
  limits.maxThreadsPerBlock = 1;
  limits.maxSharedBytesPerBlock = INT64_MAX;
  return limits;
}

class HostProgram final : public Program {
public:
  HostProgram(CpuBackend &backend, const ModuleFile &file)
      : backend_(backend), file_(file) {}

  bool load(std::string &error) {
    for (const std::string &module : file_.launchedModules()) {
      const KernelImage *image =
          file_.selectHostImage(module, backend_.level());
      if (!image) {
        error = file_.sourceName() + ": kernel module '" + module +
                "' has no host code for this " +
                hostLevelName(backend_.level()) + " CPU (" +
                describeImages(module) + "; compile with --target cpu)";
        return false;
      }
      levels_.insert(image->chipName);
      auto object = std::make_unique<SharedObject>();
      if (!object->load(file_.imageBytes(*image), image->size, module, error))
        return false;
      objects_[module] = std::move(object);
    }
    // Every kernel looked up now, so that a missing one fails the load.
    for (const FunctionSpec &fn : file_.functions())
      for (const LaunchSpec &launch : fn.launches)
        if (!kernels_.count({launch.module, launch.kernel})) {
          HostKernel k =
              objects_.at(launch.module)->kernel(launch.kernel, error);
          if (!k)
            return false;
          kernels_[{launch.module, launch.kernel}] = k;
        }
    return true;
  }

  std::unique_ptr<Step> prepareCall(const std::string &function,
                                    const std::vector<TensorRef> &args,
                                    const std::vector<TensorRef> &results,
                                    std::string &error) override {
    const FunctionSpec *fn = nullptr;
    FunctionPlan plan;
    if (!planCall(file_, function, args, results, hostLimits(), fn, plan,
                  error))
      return nullptr;
    auto step = std::make_unique<KernelStep>(backend_, fn->name);
    std::vector<TensorRef> &scratchRefs = step->scratchRefs;
    for (size_t i = 0; i < plan.scratchBytes.size(); ++i) {
      step->scratch.push_back(backend_.allocate(plan.scratchBytes[i], error));
      if (!step->scratch.back()) {
        error = "function '" + fn->name + "': scratch buffer " +
                std::to_string(i) + ": " + error;
        return nullptr;
      }
      scratchRefs.push_back(
          {step->scratch.back()->address(), plan.scratchShapes[i]});
    }
    for (size_t l = 0; l < fn->launches.size(); ++l) {
      const LaunchSpec &spec = fn->launches[l];
      KernelStep::Launch launch;
      launch.kernel = kernels_.at({spec.module, spec.kernel});
      std::copy(plan.launches[l].grid, plan.launches[l].grid + 3, launch.grid);
      if (!packKernelParams(spec, args, results, launch.params, error,
                            scratchRefs))
        return nullptr;
      step->launches.push_back(std::move(launch));
    }
    step->fn = fn;
    for (const TensorRef &t : args)
      step->argShapes.push_back(t.shape);
    for (const TensorRef &t : results)
      step->resultShapes.push_back(t.shape);
    return step;
  }
  std::unique_ptr<Step> prepareGemm(const GemmProblem &problem,
                                    std::string &error) override {
    if (!checkGemm(problem, error))
      return nullptr;
    return std::make_unique<GemmStep>(backend_, problem, workspace_);
  }
  void setGemmTuning(bool) override {}
  void endPreparation() override {}
  std::string describe() const override {
    std::string text;
    for (const std::string &level : levels_)
      text += (text.empty() ? "" : ", ") + level;
    return std::to_string(objects_.size()) + " kernel modules (so " + text +
           "); " + describeGemmLibrary();
  }

private:
  /// What the module has for `module` instead: "it has: so x86-64-v4
  /// (needs avx512f, ... which this CPU lacks), cubin sm_90a".
  std::string describeImages(const std::string &module) const {
    std::string targets;
    for (const KernelImage &i : file_.images()) {
      if (i.module != module)
        continue;
      targets += (targets.empty() ? "" : ", ") +
                 std::string(imageKindName(i.kind)) + " " + i.chipName;
      if (i.chip.family != format::Chip::Family::X86_64)
        continue;
      std::string lacking;
      for (const std::string &feature : missingFeatures(i.chip.major))
        lacking += (lacking.empty() ? "" : ", ") + feature;
      if (!lacking.empty())
        targets += " (needs " + lacking + ", which this CPU lacks)";
    }
    return "it has: " + (targets.empty() ? std::string("nothing") : targets);
  }

  CpuBackend &backend_;
  const ModuleFile &file_;
  std::map<std::string, std::unique_ptr<SharedObject>> objects_;
  std::map<std::pair<std::string, std::string>, HostKernel> kernels_;
  std::set<std::string> levels_; ///< of the images loaded
  /// The f32 result of bf16 GEMMs: steps run one at a time.
  std::vector<float> workspace_;
};

} // namespace

CpuBackend::CpuBackend(int threads) : pool_(threads), level_(hostLevel()) {
  // GEMMs are spread over the pool, one OpenBLAS thread per call (Gemm.h).
  setGemmThreads(1);
}

std::string CpuBackend::describe() const {
  return hostLevelName(level_) + " CPU, " + std::to_string(pool_.threads()) +
         " threads";
}

std::unique_ptr<Buffer> CpuBackend::allocate(uint64_t bytes,
                                             std::string &error) {
  auto buffer = std::make_unique<HostBuffer>();
  if (!buffer->allocate(bytes, error))
    return nullptr;
  return buffer;
}

std::unique_ptr<Queue> CpuBackend::createQueue(std::string &) {
  return std::make_unique<HostQueue>(*this);
}

std::unique_ptr<Queue> CpuBackend::borrowQueue(uint64_t handle,
                                               std::string &error) {
  // The CPU's work is ordered by the calling thread: nothing to borrow.
  if (handle != 0) {
    error = "the CPU backend has no queues to borrow (handle " +
            std::to_string(handle) + ", expected 0)";
    return nullptr;
  }
  return createQueue(error);
}

std::unique_ptr<Event> CpuBackend::createEvent(std::string &) {
  return std::make_unique<HostEvent>();
}

std::unique_ptr<Program> CpuBackend::load(const ModuleFile &file,
                                          std::string &error) {
  auto program = std::make_unique<HostProgram>(*this, file);
  if (!program->load(error))
    return nullptr;
  return program;
}

std::unique_ptr<Replay> CpuBackend::capture(Queue &, const EnqueueFn &,
                                            std::string &error) {
  error = "the CPU backend does not record work for replay";
  return nullptr;
}

bool CpuBackend::measureCopyBandwidth(Queue &, double &bytesPerSecond,
                                      std::string &error) {
  // Median of 9 copies of 256 MiB, far beyond the caches, after one to
  // warm up (and fault the pages in), each split over the pool's threads
  // as a streaming kernel is; a copy reads and writes each byte.
  const uint64_t bytes = 256ull << 20;
  std::unique_ptr<Buffer> a = allocate(bytes, error),
                          b = allocate(bytes, error);
  if (!a || !b)
    return false;
  std::memset(reinterpret_cast<void *>(a->address()), 1, bytes);
  const int64_t chunks = pool_.threads();
  std::vector<double> rates;
  for (int i = 0; i < 10; ++i) {
    auto start = std::chrono::steady_clock::now();
    pool_.parallelFor(chunks, [&](int64_t c) {
      const uint64_t begin = bytes * c / chunks, end = bytes * (c + 1) / chunks;
      std::memcpy(reinterpret_cast<void *>(b->address() + begin),
                  reinterpret_cast<const void *>(a->address() + begin),
                  end - begin);
    });
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (i > 0)
      rates.push_back(2.0 * bytes / s);
  }
  std::sort(rates.begin(), rates.end());
  bytesPerSecond = rates[rates.size() / 2];
  return true;
}

bool CpuBackend::memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                            std::string &error) const {
  struct sysinfo info;
  if (sysinfo(&info) != 0) {
    error = "sysinfo failed";
    return false;
  }
  freeBytes = uint64_t(info.freeram) * info.mem_unit;
  totalBytes = uint64_t(info.totalram) * info.mem_unit;
  return true;
}

} // namespace mamba::runtime::cpu
