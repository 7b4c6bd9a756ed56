//===- Backend.h - The host CPU behind the device interface -----*- C++ -*-===//
//
// The device interface (Device/Backend.h) on the host: memory from the
// heap (a backend address is a host pointer), a queue that runs each step
// as it is enqueued, the module's shared object for the host's x86-64
// level (HostCode.h) with each launch's blocks spread over a thread pool,
// and GEMMs through OpenBLAS. No replay: a step costs no more to enqueue
// than to record. Needs neither the NVIDIA driver nor the CUDA toolkit.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CPU_BACKEND_H
#define MAMBA_RUNTIME_CPU_BACKEND_H

#include "mamba/Runtime/Cpu/ThreadPool.h"
#include "mamba/Runtime/Device/Backend.h"

#include <memory>

namespace mamba::runtime::cpu {

class CpuBackend final : public Backend {
public:
  /// `threads` >= 1: the kernels' pool and OpenBLAS's.
  explicit CpuBackend(int threads);

  int threads() const { return pool_.threads(); }
  unsigned level() const { return level_; }
  ThreadPool &pool() { return pool_; }

  std::string kind() const override { return "cpu"; }
  /// "x86-64-v4 CPU, 2 threads; OpenBLAS ...", for logs.
  std::string describe() const override;
  int64_t parallelism() const override { return pool_.threads(); }
  std::unique_ptr<Buffer> allocate(uint64_t bytes, std::string &error) override;
  std::unique_ptr<Queue> createQueue(std::string &error) override;
  std::unique_ptr<Queue> borrowQueue(uint64_t handle,
                                     std::string &error) override;
  std::unique_ptr<Event> createEvent(std::string &error) override;
  std::unique_ptr<Program> load(const ModuleFile &file,
                                std::string &error) override;
  bool canReplay() const override { return false; }
  std::unique_ptr<Replay> capture(Queue &queue, const EnqueueFn &enqueue,
                                  std::string &error) override;
  bool measureCopyBandwidth(Queue &queue, double &bytesPerSecond,
                            std::string &error) override;
  bool memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                  std::string &error) const override;

private:
  ThreadPool pool_;
  unsigned level_;
};

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_BACKEND_H
