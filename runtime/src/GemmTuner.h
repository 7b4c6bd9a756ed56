//===- GemmTuner.h - Choosing a cuBLASLt algorithm by timing ----*- C++ -*-===//
//
// cuBLASLt's heuristic ranks its algorithms without running them, and for
// the skinny GEMMs of decoding (one token per sequence: a matrix-vector
// product streaming the weight) its first choice can leave most of the
// memory bandwidth unused. The tuner times the heuristic's candidates on the
// problem's own buffers, each run behind a write of twice the L2 so that
// the weight comes from memory as it does between layers, and keeps the
// fastest; problems of one shape (every layer's) are timed once.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_GEMMTUNER_H
#define MAMBA_RUNTIME_GEMMTUNER_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/Cuda/DeviceBuffer.h"
#include "mamba/Runtime/Cuda/Event.h"
#include "mamba/Runtime/Cuda/Stream.h"

#include <cublasLt.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mamba::runtime::cuda {

class GemmTuner {
public:
  /// Enqueues one run of the problem with `algo` on `stream`.
  using Run = std::function<bool(const cublasLtMatmulAlgo_t &algo,
                                 CUstream stream, std::string &error)>;

  void setEnabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }

  /// The index in `candidates` of the fastest for the problem `key` (the
  /// first when tuning is off or there is one candidate); cached by key. A
  /// candidate whose run fails is passed over; all failing is an error.
  bool choose(const Device &device, const std::string &key,
              const std::vector<cublasLtMatmulAlgo_t> &candidates,
              const Run &run, size_t &chosen, std::string &error);

  /// Frees the stream, events and L2-flush buffer (the choices stay).
  void release();

  /// How many problems were timed, and how many of them kept a candidate
  /// other than the heuristic's first.
  int timed() const { return timed_; }
  int changed() const { return changed_; }

private:
  bool ensureResources(const Device &device, size_t events, std::string &error);

  bool enabled_ = true;
  std::map<std::string, size_t> chosen_;
  Stream stream_;
  DeviceBuffer flush_;
  std::vector<Event> events_;
  int timed_ = 0, changed_ = 0;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_GEMMTUNER_H
