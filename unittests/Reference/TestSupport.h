//===- TestSupport.h - Helpers of the reference unit tests ------*- C++ -*-===//

#ifndef MAMBA_UNITTESTS_REFERENCE_TESTSUPPORT_H
#define MAMBA_UNITTESTS_REFERENCE_TESTSUPPORT_H

#include "mamba/Reference/Reference.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <random>
#include <string>

namespace mamba::reference::testing {

/// The golden data directory inside the source tree (set by CMake).
std::string goldenDir();

/// Uniform in [lo, hi).
Tensor randomTensor(const Shape &shape, std::mt19937 &rng, double lo = -1.0,
                    double hi = 1.0);

/// ||actual - expected||_2 / ||expected||_2 (absolute when expected is 0).
double relativeL2Error(const Tensor &actual, const Tensor &expected);

/// Same shape, and |a - e| <= rtol * |e| + atol elementwise; on failure the
/// message shows the worst element.
::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, double rtol,
                                    double atol = 0.0);

/// Passes when `fn` throws std::invalid_argument whose message contains
/// every string of `fragments`.
::testing::AssertionResult
throwsInvalidArgument(const std::function<void()> &fn,
                      const std::vector<std::string> &fragments);

/// {"shape": [...], "data": [...]} -> Tensor.
Tensor tensorFromJson(const nlohmann::json &j);

/// Parses a JSON file; Python's bare Infinity, -Infinity and NaN become
/// strings (format::quotePythonFloatWords).
nlohmann::json readJsonFile(const std::string &path);

/// The math-relevant fields of a Hugging Face MambaConfig; absent fields take
/// Hugging Face's defaults.
ModelConfig configFromHuggingFace(const nlohmann::json &j);

/// The math-relevant fields of a Hugging Face Mamba2Config, with its
/// defaults; time_step_limit in any of its spellings.
Mamba2Config mamba2ConfigFromHuggingFace(const nlohmann::json &j);

/// A golden language model directory: its config.json, weights, prompt,
/// the prompt's logits [L, V] and the greedy new tokens (expected.json).
struct GoldenLm {
  nlohmann::json config;
  Weights weights;
  std::vector<int64_t> prompt;
  Tensor logits;
  std::vector<int64_t> tokens;
  std::string error; ///< why it could not be read; empty when it was
};

/// goldenDir()/NAME.
GoldenLm readGoldenLm(const std::string &name);

/// Loads every tensor of a .safetensors file through the runtime reader.
/// Returns false and sets `error` on failure.
bool loadWeights(const std::string &path, Weights &weights, std::string &error);

/// Extracts [b, V] logits at position `t` of [b, L, V] logits.
Tensor logitsAt(const Tensor &logits, int64_t t);

} // namespace mamba::reference::testing

#endif // MAMBA_UNITTESTS_REFERENCE_TESTSUPPORT_H
