//===- ConfigFields.h - Typed, range-checked config.json fields -*- C++ -*-===//
//
// Internal to the importer: what the config readers of every model family
// (ModelConfig.cpp for Mamba-1, Mamba2Config.cpp) share to read a field
// with its type and range checked and the first error kept, named by field.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_IMPORT_CONFIGFIELDS_H
#define MAMBA_LIB_IMPORT_CONFIGFIELDS_H

#include "mamba/Import/ModelConfig.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

namespace mlir::mamba::detail {

namespace json = llvm::json;

/// Sizes beyond these are not models but typos or overflow bait: with them,
/// every product of two sizes still fits in 64 bits.
constexpr int64_t kMaxSize = int64_t{1} << 24;
constexpr int64_t kMaxLayers = 4096;

/// Reads fields of one JSON object, remembering the first error. `where`
/// prefixes field names ("ssm_cfg." for the nested object).
class FieldReader {
public:
  FieldReader(const json::Object &object, std::string where, std::string &error)
      : object(object), where(std::move(where)), error(error) {}

  bool has(StringRef key) const { return object.get(key) != nullptr; }
  /// The field's value, null when absent.
  const json::Value *get(StringRef key) const { return object.get(key); }
  bool failed() const { return !error.empty(); }

  /// An integer in [minimum, maximum]; `fallback` when absent, an error when
  /// absent and `fallback` is empty.
  int64_t integer(StringRef key, std::optional<int64_t> fallback,
                  int64_t minimum, int64_t maximum) {
    // A field that fails still returns a value in range: the caller goes on
    // computing with it (a padded vocabulary divides by one) before it
    // looks at the error.
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null) {
      if (!fallback)
        fail(key, "is missing");
      return fallback.value_or(minimum);
    }
    std::optional<int64_t> number = value->getAsInteger();
    if (!number) {
      fail(key, "must be an integer");
      return minimum;
    }
    if (*number < minimum || *number > maximum) {
      fail(key, llvm::formatv("is {0}, expected {1} to {2}", *number, minimum,
                              maximum)
                    .str());
      return std::clamp(*number, minimum, maximum);
    }
    return *number;
  }

  bool boolean(StringRef key, bool fallback) {
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null)
      return fallback;
    std::optional<bool> flag = value->getAsBoolean();
    if (!flag)
      fail(key, "must be true or false");
    return flag.value_or(fallback);
  }

  /// A positive finite number.
  double positiveNumber(StringRef key, double fallback) {
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null)
      return fallback;
    std::optional<double> number = value->getAsNumber();
    if (!number) {
      fail(key, "must be a number");
      return fallback;
    }
    if (!(*number > 0.0) || !std::isfinite(*number)) {
      char text[32];
      std::snprintf(text, sizeof(text), "%g", *number);
      fail(key,
           std::string("is ") + text + ", expected a positive finite number");
    }
    return *number;
  }

  std::optional<std::string> string(StringRef key) {
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null)
      return std::nullopt;
    std::optional<StringRef> text = value->getAsString();
    if (!text) {
      fail(key, "must be a string");
      return std::nullopt;
    }
    return text->str();
  }

  /// time_step_rank / dt_rank: a positive integer or "auto" (0 here).
  int64_t rankOrAuto(StringRef key) {
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null)
      return 0;
    if (std::optional<StringRef> text = value->getAsString()) {
      if (*text != "auto")
        fail(key, "must be a positive integer or \"auto\", not \"" +
                      text->str() + "\"");
      return 0;
    }
    return integer(key, std::nullopt, 1, kMaxSize);
  }

  void fail(StringRef key, const std::string &problem) {
    if (error.empty())
      error = "config field " + where + key.str() + " " + problem;
  }

private:
  const json::Object &object;
  std::string where;
  std::string &error;
};

/// Mamba-2's readers (Mamba2Config.cpp): transformers' Mamba2Config
/// (model_type "mamba2") and mamba_ssm's MambaConfig with an ssm_cfg of
/// layer "Mamba2", whose other top-level fields `fields` has read into
/// `config` already.
ModelConfig readMamba2HuggingFace(FieldReader &fields);
void readMamba2StateSpaces(const json::Object &ssmCfg, FieldReader &block,
                           ModelConfig &config);

} // namespace mlir::mamba::detail

#endif // MAMBA_LIB_IMPORT_CONFIGFIELDS_H
