//===- Problem.cpp - One problem that candidate modules are run on --------===//

#include "Problem.h"

#include <algorithm>

namespace mamba::tune {

void Problem::begin(runtime::Backend &backend, runtime::Queue &queue,
                    const char *function, format::ElementType activations) {
  backend_ = &backend;
  queue_ = &queue;
  function_ = function;
  activations_ = activations;
  buffers_.clear();
  args_.clear();
  expected_.clear();
}

bool Problem::addArgument(const gpu_test::HostTensor &host,
                          std::string &error) {
  buffers_.push_back(backend_->allocate(host.bytes().size(), error));
  if (!buffers_.back() ||
      !buffers_.back()->copyFromHost(host.bytes().data(), host.bytes().size(),
                                     0, error))
    return false;
  args_.push_back({buffers_.back()->address(), host.shape()});
  return true;
}

bool Problem::setOutput(const format::Shape &shape,
                        std::vector<double> expected, std::string &error) {
  int64_t elements = 1;
  for (int64_t n : shape)
    elements *= n;
  outputBytes_ = uint64_t(elements) * format::elementTypeSize(activations_);
  buffers_.push_back(backend_->allocate(outputBytes_, error));
  if (!buffers_.back())
    return false;
  output_ = {buffers_.back()->address(), shape};
  expected_ = std::move(expected);
  return true;
}

bool Problem::measure(runtime::Program &program, int runs, double tolerance,
                      bool check, double &relError, double &medianMs,
                      std::string &error) {
  std::unique_ptr<runtime::Step> step =
      program.prepareCall(function_, args_, {output_}, error);
  if (!step)
    return false;
  medianMs = 0;
  if (check) {
    // All ones is a NaN in f32, bf16 and f16: an element the kernel does
    // not write fails the check.
    if (poison_.size() != outputBytes_) {
      poison_.assign(outputBytes_, 0xff);
      outputHost_ = gpu_test::HostTensor(activations_, output_.shape);
    }
    if (!queue_->copyFromHost(poison_.data(), output_.address, outputBytes_,
                              error) ||
        !step->enqueue(*queue_, error) ||
        !queue_->copyToHost(output_.address, outputHost_.bytes().data(),
                            outputBytes_, error) ||
        !queue_->synchronize(error))
      return false;
    relError = gpu_test::relativeL2Error(outputHost_, expected_);
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
