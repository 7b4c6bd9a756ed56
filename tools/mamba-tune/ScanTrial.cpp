//===- ScanTrial.cpp - One scan problem, run by candidate modules ---------===//

#include "ScanTrial.h"

#include "HostTensor.h"
#include "ScanInputs.h"

#include <algorithm>

namespace mamba::tune {

using namespace mamba::bench;

bool ScanProblem::prepare(runtime::Backend &backend, runtime::Queue &queue,
                          format::ElementType activations, int64_t b, int64_t d,
                          int64_t L, std::string &error) {
  backend_ = &backend;
  queue_ = &queue;
  activations_ = activations;
  buffers_.clear();
  args_.clear();
  std::vector<reference::Tensor> in;
  for (int op = 0; op < NumOperands; ++op) {
    HostTensor t = makeOperand(Operand(op), activations, b, d, L, 4242 + op);
    buffers_.push_back(backend.allocate(t.bytes().size(), error));
    if (!buffers_.back() || !buffers_.back()->copyFromHost(
                                t.bytes().data(), t.bytes().size(), 0, error)) {
      error = std::string(kOperandNames[op]) + ": " + error;
      return false;
    }
    args_.push_back({buffers_.back()->address(), t.shape()});
    in.push_back(t.toReference());
  }
  // The reference sees the values the kernel reads (rounded to bf16 where
  // the operands are): the check measures the kernel, not the rounding.
  expected_ = reference::selectiveScan(in[U], in[Delta], in[A], in[B], in[C],
                                       &in[D], &in[Z], &in[DeltaBias], nullptr,
                                       /*deltaSoftplus=*/true)
                  .y.values();
  yBytes_ = uint64_t(b * d * L) * format::elementTypeSize(activations);
  buffers_.push_back(backend.allocate(yBytes_, error));
  if (!buffers_.back())
    return false;
  y_ = {buffers_.back()->address(), {b, d, L}};
  return true;
}

bool ScanProblem::measure(runtime::Program &program, int runs, double tolerance,
                          bool check, double &relError, double &medianMs,
                          std::string &error) {
  std::unique_ptr<runtime::Step> step =
      program.prepareCall("scan", args_, {y_}, error);
  if (!step)
    return false;
  medianMs = 0;
  if (check) {
    // All ones is a NaN in f32 and bf16: an element the kernel does not
    // write fails the check.
    if (poison_.size() != yBytes_) {
      poison_.assign(yBytes_, 0xff);
      yHost_ = HostTensor(activations_, y_.shape);
    }
    if (!queue_->copyFromHost(poison_.data(), y_.address, yBytes_, error) ||
        !step->enqueue(*queue_, error) ||
        !queue_->copyToHost(y_.address, yHost_.bytes().data(), yBytes_,
                            error) ||
        !queue_->synchronize(error))
      return false;
    relError = gpu_test::relativeL2Error(yHost_, expected_);
    if (!(relError <= tolerance))
      return true;
  }
  std::unique_ptr<runtime::Event> start = backend_->createEvent(error);
  std::unique_ptr<runtime::Event> end =
      start ? backend_->createEvent(error) : nullptr;
  if (!end)
    return false;
  // Untimed runs first: caches, page faults, the CPU's idle threads.
  for (int i = 0; i < std::max(1, runs / 5); ++i)
    if (!step->enqueue(*queue_, error) || !queue_->synchronize(error))
      return false;
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    float ms = 0;
    if (!start->record(*queue_, error) || !step->enqueue(*queue_, error) ||
        !end->record(*queue_, error) || !end->synchronize(error) ||
        !end->elapsedSince(*start, ms, error))
      return false;
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  medianMs = times[times.size() / 2];
  return true;
}

} // namespace mamba::tune
