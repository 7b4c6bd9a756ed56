//===- PreparedEntry.cpp - An entry bound for fixed input shapes ----------===//

#include "mamba/Runtime/PreparedEntry.h"

#include "mamba/Runtime/EntryBinding.h"

namespace mamba::runtime {

bool PreparedEntry::prepare(const Model &model, const std::string &entryName,
                            const std::vector<TensorRef> &inputs,
                            std::string &error,
                            const std::map<std::string, TensorRef> &outputsTo) {
  steps_.clear();
  isGemm_.clear();
  outputs_.clear();
  arena_.reset();
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
  backend_ = &model.backend();
  const std::string what = "entry '" + entry.name + "'";

  std::vector<Shape> inputShapes;
  for (const TensorRef &t : inputs)
    inputShapes.push_back(t.shape);
  // Outputs bound to the caller's tensors are not placed in the arena.
  std::set<uint32_t> external;
  if (!externalOutputs(entry, outputsTo, external, error) ||
      !planEntry(entry, inputShapes, external, layout_, error))
    return false;
  arena_ = backend_->allocate(layout_.arenaBytes, error);
  if (!arena_) {
    error = what + ": allocating its " + formatMiB(layout_.arenaBytes) +
            " activation arena: " + error;
    return false;
  }
  EntryAddresses addresses;
  addresses.inputs = inputs;
  for (uint32_t i = 0; i < model.spec().weights.size(); ++i)
    addresses.weights.push_back(model.weightAddress(i));
  for (uint32_t i = 0; i < model.spec().derived.size(); ++i)
    addresses.derived.push_back(model.derivedAddress(i));
  addresses.arena = arena_->address();
  addresses.outputsTo = outputsTo;
  std::vector<BoundStep> bound;
  if (!bindEntry(entry, inputShapes, layout_, addresses,
                 backend_->parallelism(), bound, outputs_, error))
    return false;

  Program &program = model.program();
  for (size_t s = 0; s < bound.size(); ++s) {
    const BoundStep &b = bound[s];
    std::unique_ptr<Step> step =
        b.gemm ? program.prepareGemm(b.problem, error)
               : program.prepareCall(b.function, b.args, b.results, error);
    if (!step) {
      error = what + " step " + std::to_string(s) + ": " + error;
      steps_.clear();
      return false;
    }
    steps_.push_back(std::move(step));
    isGemm_.push_back(b.gemm);
  }
  return true;
}

bool PreparedEntry::isPrepared() const {
  return entry_ && steps_.size() == entry_->steps.size();
}

bool PreparedEntry::enqueue(Queue &queue, std::string &error) const {
  if (!isPrepared()) {
    error = "enqueueing an entry that is not prepared";
    return false;
  }
  for (const std::unique_ptr<Step> &step : steps_)
    if (!step->enqueue(queue, error))
      return false;
  return true;
}

bool PreparedEntry::profile(Queue &queue, std::vector<double> &stepMs,
                            std::string &error) const {
  if (!isPrepared()) {
    error = "profiling an entry that is not prepared";
    return false;
  }
  std::vector<std::unique_ptr<Event>> events;
  for (size_t i = 0; i <= steps_.size(); ++i) {
    events.push_back(backend_->createEvent(error));
    if (!events.back())
      return false;
  }
  if (!events[0]->record(queue, error))
    return false;
  for (size_t i = 0; i < steps_.size(); ++i)
    if (!steps_[i]->enqueue(queue, error) ||
        !events[i + 1]->record(queue, error))
      return false;
  if (!queue.synchronize(error))
    return false;
  stepMs.assign(steps_.size(), 0.0);
  for (size_t i = 0; i < steps_.size(); ++i) {
    float ms = 0;
    if (!events[i + 1]->elapsedSince(*events[i], ms, error))
      return false;
    stepMs[i] = ms;
  }
  return true;
}

std::string PreparedEntry::stepName(size_t i) const {
  if (!entry_ || i >= steps_.size())
    return "?";
  return steps_[i]->describe();
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
  for (bool g : isGemm_)
    gemms += g;
  return entry_->name + ": " + std::to_string(steps_.size()) + " steps (" +
         std::to_string(steps_.size() - gemms) + " kernel calls, " +
         std::to_string(gemms) + " GEMMs), arena " +
         formatMiB(layout_.arenaBytes) + " (" +
         formatMiB(layout_.unsharedBytes) + " unshared)";
}

} // namespace mamba::runtime
