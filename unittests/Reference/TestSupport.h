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

nlohmann::json readJsonFile(const std::string &path);

/// The math-relevant fields of a Hugging Face MambaConfig; absent fields take
/// Hugging Face's defaults.
ModelConfig configFromHuggingFace(const nlohmann::json &j);

/// Loads every tensor of a .safetensors file through the runtime reader.
/// Returns false and sets `error` on failure.
bool loadWeights(const std::string &path, Weights &weights, std::string &error);

/// Extracts [b, V] logits at position `t` of [b, L, V] logits.
Tensor logitsAt(const Tensor &logits, int64_t t);

} // namespace mamba::reference::testing

#endif // MAMBA_UNITTESTS_REFERENCE_TESTSUPPORT_H
