//===- ThreadPool.h - The CPU backend's worker threads ----------*- C++ -*-===//
//
// A fixed set of threads that a kernel launch's blocks are spread over.
// One parallelFor at a time: calls from several threads (generators of one
// backend used by several threads, docs/thread-safety.md) take turns, each
// whole; the calling thread takes part, so a pool of one thread runs
// everything inline.
// Between calls a worker spins for a few tens of microseconds before it
// sleeps: a decode step is a hundred calls of a fraction of a millisecond
// each, and waking a sleeping thread costs about as much again.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CPU_THREADPOOL_H
#define MAMBA_RUNTIME_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mamba::runtime::cpu {

class ThreadPool {
public:
  /// `threads` >= 1, the caller included.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  /// Runs body(i) for every i in [0, count), spread over the threads in
  /// contiguous runs (neighbouring blocks share cache lines), and returns
  /// when all have run.
  void parallelFor(int64_t count, const std::function<void(int64_t)> &body);

private:
  void work(int index);
  void runShare(int index);

  std::vector<std::thread> workers_;
  /// Held by the parallelFor that owns the workers; other callers wait.
  std::mutex submit_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)> *body_ = nullptr;
  int64_t count_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> busy_{0};
  std::atomic<bool> stop_{false};
};

/// The number of threads to use when none is asked for: MAMBA_THREADS if
/// set, else the cores this process may run on. False, naming the variable,
/// when MAMBA_THREADS is not a number from 1 to 4096.
bool defaultThreadCount(int &threads, std::string &error);

} // namespace mamba::runtime::cpu

#endif // MAMBA_RUNTIME_CPU_THREADPOOL_H
