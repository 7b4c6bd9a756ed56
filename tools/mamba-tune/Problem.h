//===- Problem.h - One problem that candidate modules are run on -*- C++
//-*-===//
//
// What mamba-tune measures a candidate on, on any backend (the CPU or a
// GPU, through the device interface): one shape bucket of one signature,
// its operands drawn once as the op's benchmark draws them and uploaded,
// the reference library's output computed once in double; then each
// candidate module's function is run once and checked against it (a wrong
// result rejects the candidate), and timed: the median of its runs between
// two timing events. Each op kind fills the operands (prepare); the check
// and the timing are the same for all.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_PROBLEM_H
#define MAMBA_TOOLS_PROBLEM_H

#include "Candidate.h"
#include "HostTensor.h"
#include "mamba/Runtime/Device/Backend.h"

#include <memory>
#include <string>
#include <vector>

namespace mamba::tune {

class Problem {
public:
  virtual ~Problem() = default;

  /// Draws and uploads the operands of `signature` at batch `b` and length
  /// `L`, and computes the expected output.
  virtual bool prepare(runtime::Backend &backend, runtime::Queue &queue,
                       const Signature &signature, int64_t b, int64_t L,
                       std::string &error) = 0;

  /// With `check`, runs the module's function once and sets `relError`
  /// (the output against the reference); if that is within `tolerance` (or
  /// without `check`: a candidate checked in an earlier round), runs it
  /// `runs` more times and sets `medianMs`. False only when it could not
  /// run.
  bool measure(runtime::Program &program, int runs, double tolerance,
               bool check, double &relError, double &medianMs,
               std::string &error);

protected:
  /// What prepare sets up: the function's name, its operands (in argument
  /// order, on the device), its one output and the expected values.
  void begin(runtime::Backend &backend, runtime::Queue &queue,
             const char *function, format::ElementType activations);
  /// Uploads `host` as the next argument.
  bool addArgument(const gpu_test::HostTensor &host, std::string &error);
  /// Allocates the output of `shape` (activation type).
  bool setOutput(const format::Shape &shape, std::vector<double> expected,
                 std::string &error);

private:
  runtime::Backend *backend_ = nullptr;
  runtime::Queue *queue_ = nullptr;
  std::string function_;
  format::ElementType activations_ = format::ElementType::F32;
  std::vector<std::unique_ptr<runtime::Buffer>> buffers_;
  std::vector<runtime::TensorRef> args_;
  runtime::TensorRef output_;
  uint64_t outputBytes_ = 0;
  std::vector<double> expected_;
  /// What a check writes to the output first (all ones) and the output it
  /// reads back, kept between checks: each can be hundreds of MB.
  std::vector<uint8_t> poison_;
  gpu_test::HostTensor outputHost_;
};

} // namespace mamba::tune

#endif // MAMBA_TOOLS_PROBLEM_H
