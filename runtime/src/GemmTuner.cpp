//===- GemmTuner.cpp - Choosing a cuBLASLt algorithm by timing ------------===//

#include "GemmTuner.h"

#include "CudaDriver.h"

#include <algorithm>
#include <limits>

namespace mamba::runtime::cuda {

namespace {

/// Timed runs per candidate; the median decides.
constexpr int kRepeats = 5;

} // namespace

bool GemmTuner::ensureResources(const Device &device, size_t events,
                                std::string &error) {
  if (!stream_.handle() && !stream_.create(device, error))
    return false;
  // Twice the L2, so that no operand is left in it by the run before.
  uint64_t flushBytes =
      static_cast<uint64_t>(std::max<int64_t>(device.l2Bytes(), 1 << 20) * 2);
  if (flush_.size() < flushBytes && !flush_.allocate(device, flushBytes, error))
    return false;
  while (events_.size() < events) {
    events_.emplace_back();
    if (!events_.back().create(device, error))
      return false;
  }
  return true;
}

bool GemmTuner::choose(const Device &device, const std::string &key,
                       const std::vector<cublasLtMatmulAlgo_t> &candidates,
                       const Run &run, size_t &chosen, std::string &error) {
  chosen = 0;
  if (!enabled_ || candidates.size() <= 1)
    return true;
  if (auto it = chosen_.find(key); it != chosen_.end()) {
    chosen = it->second;
    return true;
  }
  auto fail = [&](const std::string &why) {
    error = "timing cuBLASLt's algorithms: " + why;
    return false;
  };
  const size_t n = candidates.size();
  if (!ensureResources(device, 2 * n * kRepeats, error))
    return fail(error);
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return fail(error);
  const DriverApi &d = api();
  CUstream stream = stream_.handle();

  // A warm-up run each; a candidate that cannot run is left out.
  std::vector<bool> usable(n, true);
  size_t usableCount = 0;
  for (size_t c = 0; c < n; ++c) {
    std::string ignored;
    usable[c] = run(candidates[c], stream, ignored);
    usableCount += usable[c];
  }
  if (usableCount == 0)
    return fail("none of the " + std::to_string(n) + " candidates runs");

  // Interleaved repeats, each behind the L2 flush.
  for (int r = 0; r < kRepeats; ++r)
    for (size_t c = 0; c < n; ++c) {
      if (!usable[c])
        continue;
      Event &start = events_[2 * (r * n + c)];
      Event &end = events_[2 * (r * n + c) + 1];
      if (!check(d.cuMemsetD32Async(flush_.address(), 0, flush_.size() / 4,
                                    stream),
                 "cuMemsetD32Async", "flushing the L2", error) ||
          !start.record(stream, error) || !run(candidates[c], stream, error) ||
          !end.record(stream, error))
        return fail(error);
    }
  if (!stream_.synchronize(error))
    return fail(error);

  double best = std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < n; ++c) {
    if (!usable[c])
      continue;
    std::vector<float> ms(kRepeats);
    for (int r = 0; r < kRepeats; ++r)
      if (!Event::elapsedMs(events_[2 * (r * n + c)],
                            events_[2 * (r * n + c) + 1], ms[r], error))
        return fail(error);
    std::nth_element(ms.begin(), ms.begin() + kRepeats / 2, ms.end());
    double median = ms[kRepeats / 2];
    // Ties keep the heuristic's order.
    if (median < best) {
      best = median;
      chosen = c;
    }
  }
  chosen_[key] = chosen;
  ++timed_;
  changed_ += chosen != 0;
  return true;
}

void GemmTuner::release() {
  events_.clear();
  flush_ = DeviceBuffer();
  stream_.destroy();
}

} // namespace mamba::runtime::cuda
