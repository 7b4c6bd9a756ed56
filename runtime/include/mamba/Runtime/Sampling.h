//===- Sampling.h - Choosing the next token from logits ---------*- C++ -*-===//
//
// What generate() in transformers does with one row of logits, on the host:
// greedy (temperature 0), or temperature, then top-k, then top-p (the
// smallest set of most likely tokens whose probability reaches p), then a
// draw from a seeded generator, so that a seed repeats its tokens exactly.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_SAMPLING_H
#define MAMBA_RUNTIME_SAMPLING_H

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mamba::runtime {

struct SamplingOptions {
  double temperature = 0.0; ///< 0: greedy
  int64_t topK = 0;         ///< 0: all tokens
  double topP = 1.0;        ///< 1: all tokens
  uint64_t seed = 0;

  /// False, with the reason, for a negative temperature or top-k, or a
  /// top-p outside (0, 1].
  bool validate(std::string &error) const;
};

class Sampler {
public:
  explicit Sampler(const SamplingOptions &options)
      : options_(options), rng_(options.seed) {}

  /// The next token from `logits` (one row, `vocab` entries). NaN logits
  /// are never chosen; a row of only NaNs gives token 0.
  int64_t sample(const float *logits, int64_t vocab);

private:
  SamplingOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::pair<float, int64_t>> candidates_;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_SAMPLING_H
