//===- ScanTrial.h - One scan problem, run by candidate modules -*- C++ -*-===//
//
// What mamba-tune measures a candidate on, on any backend (the CPU or a
// GPU, through the device interface): one problem (b, d, L) with N = 16 and
// one group (the Mamba-1 models), its operands drawn once as the scan
// benchmarks draw them (bench/ScanInputs.h) and uploaded, the reference
// library's y computed once; then each candidate module's `scan` is run
// once and checked against it (a wrong result rejects the candidate), and
// timed: the median of its runs between two timing events.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_SCANTRIAL_H
#define MAMBA_TOOLS_SCANTRIAL_H

#include "HostTensor.h"
#include "mamba/Runtime/Device/Backend.h"

#include <memory>
#include <string>
#include <vector>

namespace mamba::tune {

class ScanProblem {
public:
  bool prepare(runtime::Backend &backend, runtime::Queue &queue,
               format::ElementType activations, int64_t b, int64_t d, int64_t L,
               std::string &error);
  /// With `check`, runs `program`'s `scan` once and sets `relError` (y
  /// against the reference); if that is within `tolerance` (or without
  /// `check`: a candidate checked in an earlier round), runs it `runs`
  /// more times and sets `medianMs`. False only when it could not run.
  bool measure(runtime::Program &program, int runs, double tolerance,
               bool check, double &relError, double &medianMs,
               std::string &error);

private:
  runtime::Backend *backend_ = nullptr;
  runtime::Queue *queue_ = nullptr;
  format::ElementType activations_ = format::ElementType::F32;
  std::vector<std::unique_ptr<runtime::Buffer>> buffers_;
  std::vector<runtime::TensorRef> args_;
  runtime::TensorRef y_;
  uint64_t yBytes_ = 0;
  std::vector<double> expected_;
  /// What a check writes to y first (all ones) and the y it reads back,
  /// kept between checks: each can be hundreds of MB.
  std::vector<uint8_t> poison_;
  gpu_test::HostTensor yHost_;
};

} // namespace mamba::tune

#endif // MAMBA_TOOLS_SCANTRIAL_H
