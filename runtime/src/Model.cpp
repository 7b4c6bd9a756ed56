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
  for (const auto &[name, tensor] : outputsTo) {
    auto it =
        std::find_if(entry.outputs.begin(), entry.outputs.end(),
                     [&](const EntryOutputSpec &o) { return o.name == name; });
    if (it == entry.outputs.end()) {
      error = what + " has no output '" + name + "' to bind";
      return false;
    }
    if (entry.buffers[it->buffer].source != BufferSpec::Source::Temp) {
      error = what + " output '" + name +
              "' is not an activation; it cannot "
              "be bound";
      return false;
    }
    external.insert(it->buffer);
  }
  if (!planEntry(entry, inputShapes, external, layout_, error))
    return false;
  if (!arena_.allocate(model.device(), layout_.arenaBytes, error)) {
    error = what + ": allocating its " + mib(layout_.arenaBytes) +
            " activation arena: " + error;
    return false;
  }

  // Every root buffer's address, then every buffer's.
  std::vector<CUdeviceptr> rootAddress(entry.buffers.size(), 0);
  for (uint32_t b = 0; b < entry.buffers.size(); ++b) {
    const BufferSpec &spec = entry.buffers[b];
    switch (spec.source) {
    case BufferSpec::Source::Input:
      rootAddress[b] = inputs[spec.index].address;
      break;
    case BufferSpec::Source::Weight:
      rootAddress[b] = model.weightAddress(spec.index);
      break;
    case BufferSpec::Source::Derived:
      rootAddress[b] = model.derivedAddress(spec.index);
      break;
    case BufferSpec::Source::Temp:
      if (layout_.arenaOffset[b] >= 0)
        rootAddress[b] = arena_.address() + layout_.arenaOffset[b];
      break;
    case BufferSpec::Source::View:
      break;
    }
  }
  for (const auto &[name, tensor] : outputsTo) {
    for (const EntryOutputSpec &o : entry.outputs) {
      if (o.name != name)
        continue;
      if (tensor.shape != layout_.shapes[o.buffer]) {
        error = what + " output '" + name +
                "' is bound to a tensor of the "
                "wrong shape";
        return false;
      }
      rootAddress[o.buffer] = tensor.address;
    }
  }
  auto ref = [&](uint32_t b) {
    return TensorRef{rootAddress[layout_.root[b]] + layout_.rootOffset[b],
                     layout_.shapes[b]};
  };

  for (size_t s = 0; s < entry.steps.size(); ++s) {
    const StepSpec &spec = entry.steps[s];
    auto step = std::make_unique<Step>();
    std::string where = what + " step " + std::to_string(s);
    if (spec.kind == StepSpec::Kind::Gemm) {
      step->gemm = true;
      GemmProblem problem;
      problem.element = entry.buffers[spec.w].element;
      const Shape *bias = spec.hasBias ? &layout_.shapes[spec.bias] : nullptr;
      if (!describeGemm(layout_.shapes[spec.x], layout_.shapes[spec.w],
                        layout_.shapes[spec.y], bias, spec.xFeaturesMajor,
                        spec.yFeaturesMajor, problem, error)) {
        error = where + ": " + error;
        return false;
      }
      problem.x = ref(spec.x).address;
      problem.w = ref(spec.w).address;
      problem.y = ref(spec.y).address;
      problem.bias = spec.hasBias ? ref(spec.bias).address : 0;
      if (!step->matmul.prepare(model.blas(), problem, error)) {
        error = where + ": " + error;
        return false;
      }
    } else {
      std::vector<TensorRef> args, results;
      for (uint32_t a : spec.args)
        args.push_back(ref(a));
      for (uint32_t r : spec.results)
        results.push_back(ref(r));
      // The first variant meant for these shapes, else the default.
      std::string function = spec.function;
      for (const KernelVariant &variant : spec.variants) {
        int64_t blocks;
        if (!variant.whenBlocksBelowSms.evaluate(inputShapes, blocks, error)) {
          error = where + ": choosing a variant: " + error;
          return false;
        }
        if (blocks < model.device().multiprocessors()) {
          function = variant.function;
          break;
        }
      }
      step->function = function;
      if (!step->call.prepare(model.kernels(), function, args, results,
                              error)) {
        error = where + ": " + error;
        return false;
      }
    }
    steps_.push_back(std::move(step));
  }
  for (const EntryOutputSpec &o : entry.outputs)
    outputs_.push_back(ref(o.buffer));
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
