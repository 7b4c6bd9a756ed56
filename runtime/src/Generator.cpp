//===- Generator.cpp - Prefill, decode and sampling for a model -----------===//

#include "mamba/Runtime/Generator.h"

#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <cstring>
#include <optional>

namespace mamba::runtime {

namespace {

const EntrySpec *requireEntry(const Model &model, const char *name,
                              std::string &error) {
  const EntrySpec *entry = model.spec().findEntry(name);
  if (!entry)
    error = model.file().sourceName() + ": the model has no '" + name +
            "' entry (compiled from a model directory by an older "
            "mamba-compile?)";
  return entry;
}

/// The element type of output `name` of `spec`, if it has one.
std::optional<ElementType> outputElement(const EntrySpec &spec,
                                         const std::string &name) {
  for (const EntryOutputSpec &o : spec.outputs)
    if (o.name == name)
      return spec.buffers[o.buffer].element;
  return std::nullopt;
}

/// Whether `entry` returns "next_ids" as `rows` int32s (modules compiled
/// before the greedy argmax do not).
bool returnsGreedyIds(const EntrySpec &spec, const PreparedEntry &entry,
                      int64_t rows) {
  const TensorRef *ids = entry.output("next_ids");
  return ids && ids->shape == Shape{rows} &&
         outputElement(spec, "next_ids") == ElementType::I32;
}

/// Converts `count` logits of `element` at `source` to floats. bf16 is the
/// top half of an f32, so it widens with a shift.
void toFloats(const uint8_t *source, ElementType element, uint64_t count,
              float *out) {
  if (element == ElementType::F32) {
    std::memcpy(out, source, count * 4);
    return;
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, source + 2 * i, 2);
    if (element == ElementType::BF16) {
      uint32_t wide = uint32_t(bits) << 16;
      std::memcpy(&out[i], &wide, 4);
    } else {
      out[i] = static_cast<float>(halfBitsToDouble(bits));
    }
  }
}

} // namespace

bool Generator::prepare(const Model &model, const GeneratorOptions &options,
                        std::string &error) {
  model_ = &model;
  options_ = options;
  step_ = 0;
  for (int k = 0; k < 2; ++k) {
    replays_[k].reset();
    states_[k].clear();
  }
  Backend &backend = model.backend();
  if (options.batch < 1 || options.promptLength < 1) {
    error = "a generation needs a batch of at least 1 and a prompt of at "
            "least 1 token (got batch " +
            std::to_string(options.batch) + ", prompt length " +
            std::to_string(options.promptLength) + ")";
    return false;
  }
  const EntrySpec *prefill = requireEntry(model, "prefill", error);
  const EntrySpec *decode =
      prefill ? requireEntry(model, "decode_step", error) : nullptr;
  if (!decode)
    return false;
  if (decode->inputs.empty() || decode->inputs[0].state) {
    error = "the decode step's first input must be the token ids";
    return false;
  }
  if (prefill->inputs.size() != 2 || prefill->inputs[1].name != "logit_rows") {
    error = model.file().sourceName() +
            ": prefill takes no 'logit_rows' input (compiled by an older "
            "mamba-compile? compile the model again)";
    return false;
  }
  if (!(queue_ = backend.createQueue(error)) ||
      !(start_ = backend.createEvent(error)) ||
      !(end_ = backend.createEvent(error)))
    return false;

  const int64_t b = options.batch, L = options.promptLength;
  if (uint64_t(b) * L > uint64_t(INT32_MAX)) {
    error = "a prompt batch of " + std::to_string(b) + " x " +
            std::to_string(L) + " tokens has more positions than int32 ids";
    return false;
  }
  // The flattened positions whose logits prefill computes: every one, or
  // each prompt's last.
  std::vector<int32_t> rows;
  for (int64_t r = 0; r < b; ++r)
    for (int64_t t = options.allLogits ? 0 : L - 1; t < L; ++t)
      rows.push_back(static_cast<int32_t>(r * L + t));
  const int64_t n = static_cast<int64_t>(rows.size());
  if (!(promptIds_ = backend.allocate(uint64_t(b) * L * 4, error)) ||
      !(stepIds_ = backend.allocate(uint64_t(b) * 4, error)) ||
      !(logitRows_ = backend.allocate(uint64_t(n) * 4, error))) {
    error = "allocating the token ids of a " + std::to_string(b) + " x " +
            std::to_string(L) + " prompt batch: " + error;
    return false;
  }
  if (!logitRows_->copyFromHost(rows.data(), rows.size() * 4, 0, error))
    return false;

  // The states: every decode input after the ids, its batch dimension set.
  std::vector<Shape> stateShapes;
  std::vector<std::string> stateNames;
  for (size_t i = 1; i < decode->inputs.size(); ++i) {
    const EntryInputSpec &input = decode->inputs[i];
    Shape shape = input.shape;
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] < 0) {
        if (d != 0) {
          error = "decode state '" + input.name +
                  "' has a dynamic dimension other than the batch";
          return false;
        }
        shape[d] = b;
      }
    uint64_t bytes;
    if (!tensorBytes(input.element, shape, bytes, error))
      return false;
    for (auto &set : states_) {
      set.push_back(backend.allocate(bytes, error));
      if (!set.back()) {
        error = "allocating decode state '" + input.name + "': " + error;
        return false;
      }
    }
    stateShapes.push_back(shape);
    stateNames.push_back(input.name);
  }
  auto stateSet = [&](int k) {
    std::map<std::string, TensorRef> bound;
    for (size_t j = 0; j < stateNames.size(); ++j)
      bound[stateNames[j]] = {states_[k][j]->address(), stateShapes[j]};
    return bound;
  };

  model.program().setGemmTuning(options.tuneGemms);
  if (!prefill_.prepare(
          model, "prefill",
          {{promptIds_->address(), {b, L}}, {logitRows_->address(), {n}}},
          error, stateSet(0)))
    return false;
  const TensorRef *logits = prefill_.output("logits");
  if (!logits || logits->shape.size() != 2 || logits->shape[0] != n) {
    error = "prefill has no 'logits' output of shape [rows, vocab]";
    return false;
  }
  vocab_ = logits->shape[1];
  prefillIds_ = !options.allLogits && returnsGreedyIds(*prefill, prefill_, b);
  logitsElement_ = outputElement(*prefill, "logits").value_or(ElementType::F32);
  for (int k = 0; k < 2; ++k) {
    std::vector<TensorRef> inputs = {{stepIds_->address(), {b}}};
    for (size_t j = 0; j < stateNames.size(); ++j)
      inputs.push_back({states_[k][j]->address(), stateShapes[j]});
    if (!decode_[k].prepare(model, "decode_step", inputs, error,
                            stateSet(1 - k)))
      return false;
    const TensorRef *stepLogits = decode_[k].output("logits");
    if (!stepLogits || stepLogits->shape != Shape{b, vocab_}) {
      error = "decode_step has no 'logits' output of shape [batch, vocab]";
      return false;
    }
    greedyIds_ = returnsGreedyIds(*decode, decode_[k], b);
    if (options.replayDecodeStep && backend.canReplay()) {
      const PreparedEntry &step = decode_[k];
      replays_[k] = backend.capture(
          *queue_,
          [&step](Queue &q, std::string &e) { return step.enqueue(q, e); },
          error);
      if (!replays_[k])
        return false;
    }
  }
  model.program().endPreparation();
  return true;
}

bool Generator::readLogits(const TensorRef &logits, uint64_t offset,
                           int64_t rows, uint64_t rowStride, uint64_t rowLength,
                           std::vector<float> &out, std::string &error) {
  const uint64_t size = elementTypeSize(logitsElement_);
  const uint64_t rowBytes = rowLength * size;
  staging_.resize(rowBytes * rows);
  const bool contiguous = rowStride == rowLength;
  for (int64_t r = 0; r < (contiguous ? 1 : rows); ++r)
    if (!queue_->copyToHost(logits.address + (offset + r * rowStride) * size,
                            staging_.data() + r * rowBytes,
                            contiguous ? staging_.size() : rowBytes, error))
      return false;
  if (!queue_->synchronize(error))
    return false;
  out.resize(rowLength * rows);
  toFloats(staging_.data(), logitsElement_, out.size(), out.data());
  return true;
}

bool Generator::checkIds(const std::vector<int32_t> &ids,
                         std::string &error) const {
  // The embedding kernels index their table with the ids as given.
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= vocab_) {
      error = "token id " + std::to_string(ids[i]) + " (at index " +
              std::to_string(i) + ") is not in [0, " + std::to_string(vocab_) +
              "), the model's vocabulary";
      return false;
    }
  return true;
}

bool Generator::runPrefill(const std::vector<int32_t> &ids,
                           std::string &error) {
  const int64_t b = options_.batch, L = options_.promptLength;
  if (!model_) {
    error = "the generator is not prepared";
    return false;
  }
  if (ids.size() != uint64_t(b) * L) {
    error = "prefill was prepared for " + std::to_string(b) + " x " +
            std::to_string(L) + " token ids, got " + std::to_string(ids.size());
    return false;
  }
  if (!checkIds(ids, error))
    return false;
  step_ = 0;
  return queue_->copyFromHost(ids.data(), promptIds_->address(), ids.size() * 4,
                              error) &&
         start_->record(*queue_, error) && prefill_.enqueue(*queue_, error) &&
         end_->record(*queue_, error);
}

bool Generator::prefill(const std::vector<int32_t> &ids,
                        std::vector<float> &lastLogits, std::string &error) {
  if (!runPrefill(ids, error))
    return false;
  // Each prompt's last row: all rows, or every L-th of every position's.
  const uint64_t rowsPerPrompt = options_.allLogits ? options_.promptLength : 1;
  return readLogits(*prefill_.output("logits"), (rowsPerPrompt - 1) * vocab_,
                    options_.batch, rowsPerPrompt * vocab_, vocab_, lastLogits,
                    error);
}

bool Generator::prefillGreedy(const std::vector<int32_t> &ids,
                              std::vector<int32_t> &next, std::string &error) {
  if (!prefillIds_) {
    error = "this prefill returns no greedy ids of the last positions";
    return false;
  }
  next.resize(options_.batch);
  return runPrefill(ids, error) &&
         queue_->copyToHost(prefill_.output("next_ids")->address, next.data(),
                            next.size() * 4, error) &&
         queue_->synchronize(error);
}

bool Generator::prefillLogits(std::vector<float> &logits, std::string &error) {
  if (!options_.allLogits) {
    error = "prefill was prepared for the last positions' logits only "
            "(GeneratorOptions::allLogits)";
    return false;
  }
  const uint64_t all =
      uint64_t(options_.batch) * options_.promptLength * vocab_;
  return readLogits(*prefill_.output("logits"), 0, 1, all, all, logits, error);
}

bool Generator::launchStep(const std::vector<int32_t> &ids,
                           std::string &error) {
  if (!model_) {
    error = "the generator is not prepared";
    return false;
  }
  if (ids.size() != uint64_t(options_.batch)) {
    error = "the decode step takes one token per row (" +
            std::to_string(options_.batch) + "), got " +
            std::to_string(ids.size());
    return false;
  }
  if (!checkIds(ids, error))
    return false;
  const int k = static_cast<int>(step_ % 2);
  if (!queue_->copyFromHost(ids.data(), stepIds_->address(), ids.size() * 4,
                            error) ||
      !start_->record(*queue_, error))
    return false;
  return replays_[k] ? replays_[k]->launch(*queue_, error)
                     : decode_[k].enqueue(*queue_, error);
}

bool Generator::decode(const std::vector<int32_t> &ids,
                       std::vector<float> &logits, std::string &error) {
  const int k = static_cast<int>(step_ % 2);
  if (!launchStep(ids, error) ||
      !readLogits(*decode_[k].output("logits"), 0, options_.batch, vocab_,
                  vocab_, logits, error) ||
      !end_->record(*queue_, error) || !end_->synchronize(error))
    return false;
  ++step_;
  return true;
}

bool Generator::decodeGreedy(const std::vector<int32_t> &ids,
                             std::vector<int32_t> &next, std::string &error) {
  if (!greedyIds_) {
    error = "this module's decode step returns no greedy ids (next_ids)";
    return false;
  }
  if (&ids == &next) {
    error = "decodeGreedy needs separate input and output vectors";
    return false;
  }
  const int k = static_cast<int>(step_ % 2);
  next.resize(options_.batch);
  if (!launchStep(ids, error) ||
      !queue_->copyToHost(decode_[k].output("next_ids")->address, next.data(),
                          next.size() * 4, error) ||
      !end_->record(*queue_, error) || !end_->synchronize(error))
    return false;
  ++step_;
  return true;
}

bool Generator::generate(
    const std::vector<int32_t> &prompt, int64_t maxNewTokens,
    const SamplingOptions &sampling, std::vector<std::vector<int32_t>> &tokens,
    std::string &error, GenerationTimes *times,
    const std::function<bool(const std::vector<int32_t> &)> &onToken,
    std::vector<std::vector<float>> *stepLogits) {
  if (!sampling.validate(error))
    return false;
  tokens.assign(options_.batch, {});
  if (stepLogits)
    stepLogits->clear();
  if (maxNewTokens <= 0)
    return true;
  Sampler sampler(sampling);
  std::vector<float> logits;
  // Greedy decoding reads back the argmax ids, not the logits.
  const bool deviceGreedy =
      greedyIds_ && sampling.temperature == 0 && stepLogits == nullptr;
  std::vector<int32_t> next(options_.batch), fed;
  if (!(deviceGreedy && prefillIds_ ? prefillGreedy(prompt, next, error)
                                    : prefill(prompt, logits, error)))
    return false;
  float ms = 0;
  if (times) {
    if (!end_->elapsedSince(*start_, ms, error))
      return false;
    times->prefillMs = ms;
    times->decodeMs.clear();
  }
  for (int64_t n = 0;; ++n) {
    if (stepLogits)
      stepLogits->push_back(logits);
    if (!deviceGreedy || (n == 0 && !prefillIds_))
      for (int64_t r = 0; r < options_.batch; ++r)
        next[r] = static_cast<int32_t>(
            sampler.sample(logits.data() + r * vocab_, vocab_));
    for (int64_t r = 0; r < options_.batch; ++r)
      tokens[r].push_back(next[r]);
    if (onToken && !onToken(next))
      return true;
    if (n + 1 == maxNewTokens)
      return true;
    // `fed` keeps the step's input alive while the ids come back.
    fed = next;
    if (!(deviceGreedy ? decodeGreedy(fed, next, error)
                       : decode(fed, logits, error)))
      return false;
    if (times) {
      if (!end_->elapsedSince(*start_, ms, error))
        return false;
      times->decodeMs.push_back(ms);
    }
  }
}

std::string Generator::describe() const {
  return prefill_.describe() + "; " + decode_[0].describe() +
         (replays() ? " (replayed as one launch)" : "");
}

} // namespace mamba::runtime
