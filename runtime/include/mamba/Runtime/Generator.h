//===- Generator.h - Prefill, decode and sampling for a model ---*- C++ -*-===//
//
// Text generation with a compiled model: prefill over a prompt batch, then
// one decode step per new token with the conv and SSM states kept on the
// model's backend. The decode step's states ping-pong between two sets of
// buffers (step k reads set k % 2 and writes the other), so that no step
// reads a state it is overwriting and each of the two step variants can be
// recorded once and replayed with a single launch (a CUDA graph). Host
// logic only: every device operation goes through the backend.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_GENERATOR_H
#define MAMBA_RUNTIME_GENERATOR_H

#include "mamba/Runtime/Model.h"
#include "mamba/Runtime/PreparedEntry.h"
#include "mamba/Runtime/Sampling.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mamba::runtime {

struct GeneratorOptions {
  int64_t batch = 1;
  int64_t promptLength = 1;
  /// Record the decode step once and replay it with one launch where the
  /// backend can (CUDA graphs); else, or when off, enqueue it step by step.
  bool replayDecodeStep = true;
  /// Time cuBLASLt's candidate algorithms for each GEMM shape while
  /// preparing and keep the fastest (else the heuristic's first). Off by
  /// default: on an H200 it found nothing faster than the heuristic's
  /// first choice for the 130m and 2.8b models (bench/RESULTS.md), and it
  /// costs preparation time. Backends without a choice ignore it.
  bool tuneGemms = false;
  /// Prefill computes the logits of every prompt position (for
  /// prefillLogits(), checks and --dump-logits); else only each prompt's
  /// last, which is all generation reads, and its lm_head GEMM is b rows
  /// instead of b x promptLength.
  bool allLogits = false;
};

/// Times measured with the backend's events (GPU time on CUDA), in
/// milliseconds.
struct GenerationTimes {
  double prefillMs = 0;
  std::vector<double> decodeMs; ///< per step, with the copy of what it returns
};

class Generator {
public:
  /// Prepares prefill for [batch, promptLength] token ids and the decode
  /// step for `batch` rows, allocating the states, ids and logits buffers.
  /// `model` must outlive this object.
  bool prepare(const Model &model, const GeneratorOptions &options,
               std::string &error);

  int64_t vocab() const { return vocab_; }
  int64_t batch() const { return options_.batch; }

  /// Runs prefill on `ids` (batch x promptLength, row-major); the states
  /// are then those after the prompt. `lastLogits` gets each row's logits
  /// at its last position ([batch, vocab]).
  bool prefill(const std::vector<int32_t> &ids, std::vector<float> &lastLogits,
               std::string &error);
  /// All of prefill's logits, [batch, promptLength, vocab], after prefill();
  /// requires GeneratorOptions::allLogits.
  bool prefillLogits(std::vector<float> &logits, std::string &error);
  /// One token per row through the decode step: advances the states.
  bool decode(const std::vector<int32_t> &ids, std::vector<float> &logits,
              std::string &error);
  /// True when the decode step returns "next_ids", each row's greedy token
  /// (argmax of its logits, taken on the device as torch.argmax takes it).
  bool hasGreedyIds() const { return greedyIds_; }
  /// decode(), reading back the greedy tokens instead of the logits: a
  /// batch of int32s rather than batch x vocab values converted on the
  /// host. Requires hasGreedyIds().
  bool decodeGreedy(const std::vector<int32_t> &ids, std::vector<int32_t> &next,
                    std::string &error);

  /// prefill, then `maxNewTokens` decode steps fed with the sampled tokens.
  /// `tokens` gets, per row, the new tokens (not the prompt). `onToken`, if
  /// given, sees each step's tokens as they come and stops the generation
  /// after them by returning false; `stepLogits`, if given,
  /// gets the logits each step's tokens were drawn from ([batch, vocab];
  /// the first from prefill).
  bool generate(
      const std::vector<int32_t> &prompt, int64_t maxNewTokens,
      const SamplingOptions &sampling,
      std::vector<std::vector<int32_t>> &tokens, std::string &error,
      GenerationTimes *times = nullptr,
      const std::function<bool(const std::vector<int32_t> &)> &onToken = {},
      std::vector<std::vector<float>> *stepLogits = nullptr);

  /// "prefill: ...; decode_step: ...", for logs.
  std::string describe() const;

  /// For profiling: the prepared entries and the queue they run on.
  const PreparedEntry &prefillEntry() const { return prefill_; }
  const PreparedEntry &decodeEntry() const { return decode_[0]; }
  Queue &queue() const { return *queue_; }

private:
  /// Whether decode steps replay recorded work.
  bool replays() const { return replays_[0] != nullptr; }
  /// Copies `rows` rows of `rowLength` logits, `rowStride` apart from
  /// element `offset`, into `out` as floats (one copy when they touch).
  bool readLogits(const TensorRef &logits, uint64_t offset, int64_t rows,
                  uint64_t rowStride, uint64_t rowLength,
                  std::vector<float> &out, std::string &error);
  /// False, naming the first, when an id is outside [0, vocab()).
  bool checkIds(const std::vector<int32_t> &ids, std::string &error) const;
  /// Checks `ids`, copies them in and enqueues prefill between the events.
  bool runPrefill(const std::vector<int32_t> &ids, std::string &error);
  /// prefill(), reading back each row's greedy next token (prefill's
  /// argmax of the last positions) instead of its logits.
  bool prefillGreedy(const std::vector<int32_t> &ids,
                     std::vector<int32_t> &next, std::string &error);
  /// Checks `ids`, copies them in and launches decode step variant
  /// `step_ % 2` after the start event.
  bool launchStep(const std::vector<int32_t> &ids, std::string &error);

  const Model *model_ = nullptr;
  GeneratorOptions options_;
  int64_t vocab_ = 0;
  ElementType logitsElement_ = ElementType::F32;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Event> start_, end_;
  std::unique_ptr<Buffer> promptIds_, stepIds_, logitRows_;
  /// Two sets of states: prefill writes set 0; decode step k reads set
  /// k % 2 and writes the other.
  std::vector<std::unique_ptr<Buffer>> states_[2];
  PreparedEntry prefill_;
  PreparedEntry decode_[2];
  std::unique_ptr<Replay> replays_[2];
  int64_t step_ = 0;
  bool greedyIds_ = false;  ///< the decode step returns next_ids
  bool prefillIds_ = false; ///< prefill returns the last positions' ids
  std::vector<uint8_t> staging_;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_GENERATOR_H
