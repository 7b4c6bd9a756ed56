//===- Model.cpp - A compiled model on a backend --------------------------===//

#include "mamba/Runtime/Model.h"

#include "mamba/Runtime/EntryPlan.h"
#include "mamba/Runtime/WeightFiles.h"

#include <algorithm>
#include <cstdio>

namespace mamba::runtime {

namespace {

uint64_t alignUp(uint64_t n) {
  return (n + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

} // namespace

std::string formatMiB(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", bytes / 1048576.0);
  return text;
}

bool Model::load(const std::string &modulePath, const std::string &weightsDir,
                 Backend &backend, std::string &error,
                 const LoadOptions &options) {
  const LoadProgress &progress = options.progress;
  backend_ = &backend;
  program_.reset();
  weights_.reset();
  weightOffsets_.clear();
  derivedOffsets_.clear();
  if (!file_.load(modulePath, error))
    return false;
  if (!file_.model()) {
    error = modulePath + ": a module of kernels only, not a compiled model "
                         "(compile a model directory with mamba-compile)";
    return false;
  }
  program_ = backend.load(file_, error);
  if (!program_)
    return false;

  WeightFiles files;
  if (!files.open(weightsDir, spec(), error))
    return false;
  // One allocation for every weight: fewer driver calls, and each weight
  // aligned for the GEMMs.
  uint64_t total = 0, largest = 0;
  for (uint32_t i = 0; i < spec().weights.size(); ++i) {
    weightOffsets_.push_back(total);
    total += alignUp(files.weightBytes(i));
    largest = std::max(largest, files.weightBytes(i));
  }
  for (uint32_t i = 0; i < spec().derived.size(); ++i) {
    derivedOffsets_.push_back(total);
    total += alignUp(files.derivedBytes(i));
    largest = std::max(largest, files.derivedBytes(i));
  }
  weights_ = backend.allocate(total, error);
  if (!weights_) {
    error = "allocating " + formatMiB(total) + " for the weights of " +
            modulePath + ": " + error;
    return false;
  }
  std::vector<uint8_t> staging(largest);
  uint64_t done = 0;
  for (uint32_t i = 0; i < spec().weights.size(); ++i) {
    uint64_t bytes = files.weightBytes(i);
    if (!files.convertWeight(i, staging.data(), error, options.checkWeights) ||
        !weights_->copyFromHost(staging.data(), bytes, weightOffsets_[i],
                                error))
      return false;
    done += bytes;
    if (progress)
      progress(std::min(done, files.storedBytes()), files.storedBytes());
  }
  for (uint32_t i = 0; i < spec().derived.size(); ++i)
    if (!files.convertDerived(i, staging.data(), error, options.checkWeights) ||
        !weights_->copyFromHost(staging.data(), files.derivedBytes(i),
                                derivedOffsets_[i], error))
      return false;
  if (progress)
    progress(files.storedBytes(), files.storedBytes());
  return true;
}

uint64_t Model::weightAddress(uint32_t i) const {
  return weights_->address() + weightOffsets_[i];
}

uint64_t Model::derivedAddress(uint32_t i) const {
  return weights_->address() + derivedOffsets_[i];
}

} // namespace mamba::runtime
