//===- CpuThreadPool.cpp - The CPU backend's worker threads ---------------===//

#include "mamba/Runtime/Cpu/ThreadPool.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>

namespace mamba::runtime::cpu {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(threads, 1); ++i)
    workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &t : workers_)
    t.join();
}

namespace {

/// Polls of a spin before sleeping: each a pause instruction (tens of
/// cycles) and an atomic load, some 50 microseconds in all.
constexpr int kSpins = 4096;

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Spins until `done` holds or the spin runs out; whether it holds.
template <typename Done> bool spinUntil(Done done) {
  for (int i = 0; i < kSpins; ++i) {
    if (done())
      return true;
    pause();
  }
  return done();
}

} // namespace

void ThreadPool::runShare(int index) {
  // Thread `index` of n takes the index-th of n contiguous runs.
  const int64_t n = threads();
  const int64_t begin = count_ * index / n, end = count_ * (index + 1) / n;
  for (int64_t i = begin; i < end; ++i)
    (*body_)(i);
}

void ThreadPool::work(int index) {
  uint64_t seen = 0;
  auto called = [&] { return stop_ || generation_.load() != seen; };
  for (;;) {
    if (!spinUntil(called)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, called);
    }
    if (stop_)
      return;
    seen = generation_.load();
    runShare(index);
    if (busy_.fetch_sub(1) == 1) {
      // The caller may be asleep on done_: notify under the mutex, so that
      // it either sees busy_ == 0 before it waits or is woken.
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::parallelFor(int64_t count,
                             const std::function<void(int64_t)> &body) {
  if (count <= 0)
    return;
  if (workers_.empty() || count == 1) {
    for (int64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::lock_guard<std::mutex> turn(submit_);
  // body_ and count_ are written before the generation moves; a worker
  // reads them only after it sees the new generation.
  body_ = &body;
  count_ = count;
  busy_ = static_cast<int>(workers_.size());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
  }
  wake_.notify_all();
  runShare(0);
  auto finished = [&] { return busy_.load() == 0; };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
  }
  body_ = nullptr;
}

bool defaultThreadCount(int &threads, std::string &error) {
  if (const char *env = std::getenv("MAMBA_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end == env || *end != '\0' || n < 1 || n > 4096) {
      error = "MAMBA_THREADS='" + std::string(env) +
              "': expected a number of threads from 1 to 4096";
      return false;
    }
    threads = static_cast<int>(n);
    return true;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    threads = std::max(1, CPU_COUNT(&set));
  else
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return true;
}

} // namespace mamba::runtime::cpu
