//===- Model.cpp - A compiled model on a GPU ------------------------------===//

#include "mamba/Runtime/Model.h"

#include "mamba/Runtime/Cuda/Event.h"
#include "mamba/Runtime/WeightFiles.h"

#include <algorithm>
#include <cstdio>

namespace mamba::runtime::cuda {

namespace {

uint64_t alignUp(uint64_t n) {
  return (n + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

std::string mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", bytes / 1048576.0);
  return text;
}

} // namespace

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

bool Model::load(const std::string &modulePath, const std::string &weightsDir,
                 const Device &device, std::string &error,
                 const LoadProgress &progress) {
  device_ = &device;
  if (!file_.load(modulePath, error))
    return false;
  if (!file_.model()) {
    error = modulePath + ": a module of kernels only, not a compiled model "
                         "(compile a model directory with mamba-compile)";
    return false;
  }
  if (!kernels_.load(file_, device, error) || !blas_.open(device, error))
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
  if (!weights_.allocate(device, total, error)) {
    error = "allocating " + mib(total) + " for the weights of " + modulePath +
            ": " + error;
    return false;
  }
  std::vector<uint8_t> staging(largest);
  uint64_t done = 0;
  for (uint32_t i = 0; i < spec().weights.size(); ++i) {
    uint64_t bytes = files.weightBytes(i);
    if (!files.convertWeight(i, staging.data(), error) ||
        !weights_.copyFromHost(staging.data(), bytes, error, weightOffsets_[i]))
      return false;
    done += bytes;
    if (progress)
      progress(std::min(done, files.storedBytes()), files.storedBytes());
  }
  for (uint32_t i = 0; i < spec().derived.size(); ++i)
    if (!files.convertDerived(i, staging.data(), error) ||
        !weights_.copyFromHost(staging.data(), files.derivedBytes(i), error,
                               derivedOffsets_[i]))
      return false;
  if (progress)
    progress(files.storedBytes(), files.storedBytes());
  return true;
}

CUdeviceptr Model::weightAddress(uint32_t i) const {
  return weights_.address() + weightOffsets_[i];
}

CUdeviceptr Model::derivedAddress(uint32_t i) const {
  return weights_.address() + derivedOffsets_[i];
}

//===----------------------------------------------------------------------===//
// PreparedEntry
//===----------------------------------------------------------------------===//

bool PreparedEntry::prepare(const Model &model, const std::string &entryName,
                            const std::vector<TensorRef> &inputs,
                            std::string &error,
                            const std::map<std::string, TensorRef> &outputsTo) {
  steps_.clear();
  outputs_.clear();
  entry_ = model.spec().findEntry(entryName);
  if (!entry_) {
    std::string names;
    for (const EntrySpec &e : model.spec().entries)
      names += (names.empty() ? "" : ", ") + e.name;
    error = model.file().sourceName() + ": no entry '" + entryName +
            "' (it has: " + names + ")";
    return false;
  }
  const EntrySpec &entry = *entry_;
  device_ = &model.device();
  const std::string what = "entry '" + entry.name + "'";

  std::vector<Shape> inputShapes;
  for (const TensorRef &t : inputs)
    inputShapes.push_back(t.shape);
  // Outputs bound to the caller's tensors are not placed in the arena.
  std::set<uint32_t> external;
  if (!externalOutputs(entry, outputsTo, external, error) ||
      !planEntry(entry, inputShapes, external, layout_, error))
    return false;
  if (!arena_.allocate(model.device(), layout_.arenaBytes, error)) {
    error = what + ": allocating its " + mib(layout_.arenaBytes) +
            " activation arena: " + error;
    return false;
  }
  EntryAddresses addresses;
  addresses.inputs = inputs;
  for (uint32_t i = 0; i < model.spec().weights.size(); ++i)
    addresses.weights.push_back(model.weightAddress(i));
  for (uint32_t i = 0; i < model.spec().derived.size(); ++i)
    addresses.derived.push_back(model.derivedAddress(i));
  addresses.arena = arena_.address();
  addresses.outputsTo = outputsTo;
  std::vector<BoundStep> bound;
  if (!bindEntry(entry, inputShapes, layout_, addresses,
                 model.device().multiprocessors(), bound, outputs_, error))
    return false;

  for (size_t s = 0; s < bound.size(); ++s) {
    auto step = std::make_unique<Step>();
    step->gemm = bound[s].gemm;
    step->function = bound[s].function;
    bool ok = step->gemm
                  ? step->matmul.prepare(model.blas(), bound[s].problem, error)
                  : step->call.prepare(model.kernels(), step->function,
                                       bound[s].args, bound[s].results, error);
    if (!ok) {
      error = what + " step " + std::to_string(s) + ": " + error;
      return false;
    }
    steps_.push_back(std::move(step));
  }
  return true;
}

bool PreparedEntry::enqueue(CUstream stream, std::string &error) const {
  if (!entry_ || steps_.size() != entry_->steps.size()) {
    error = "enqueueing an entry that is not prepared";
    return false;
  }
  for (const std::unique_ptr<Step> &step : steps_)
    if (!(step->gemm ? step->matmul.enqueue(stream, error)
                     : step->call.enqueue(stream, error)))
      return false;
  return true;
}

bool PreparedEntry::profile(const Stream &stream, std::vector<double> &stepMs,
                            std::string &error) const {
  if (!entry_ || steps_.size() != entry_->steps.size()) {
    error = "profiling an entry that is not prepared";
    return false;
  }
  std::vector<Event> events(steps_.size() + 1);
  for (Event &e : events)
    if (!e.create(*device_, error))
      return false;
  CUstream s = stream.handle();
  if (!events[0].record(s, error))
    return false;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step &step = *steps_[i];
    if (!(step.gemm ? step.matmul.enqueue(s, error)
                    : step.call.enqueue(s, error)) ||
        !events[i + 1].record(s, error))
      return false;
  }
  if (!stream.synchronize(error))
    return false;
  stepMs.assign(steps_.size(), 0.0);
  for (size_t i = 0; i < steps_.size(); ++i) {
    float ms = 0;
    if (!Event::elapsedMs(events[i], events[i + 1], ms, error))
      return false;
    stepMs[i] = ms;
  }
  return true;
}

std::string PreparedEntry::stepName(size_t i) const {
  if (!entry_ || i >= steps_.size())
    return "?";
  return steps_[i]->gemm ? steps_[i]->matmul.describe() : steps_[i]->function;
}

const TensorRef *PreparedEntry::output(const std::string &name) const {
  if (!entry_)
    return nullptr;
  for (size_t i = 0; i < entry_->outputs.size() && i < outputs_.size(); ++i)
    if (entry_->outputs[i].name == name)
      return &outputs_[i];
  return nullptr;
}

std::string PreparedEntry::describe() const {
  if (!entry_)
    return "(not prepared)";
  size_t gemms = 0;
  for (const std::unique_ptr<Step> &step : steps_)
    gemms += step->gemm;
  return entry_->name + ": " + std::to_string(steps_.size()) + " steps (" +
         std::to_string(steps_.size() - gemms) + " kernel calls, " +
         std::to_string(gemms) + " GEMMs), arena " + mib(layout_.arenaBytes) +
         " (" + mib(layout_.unsharedBytes) + " unshared)";
}

} // namespace mamba::runtime::cuda
