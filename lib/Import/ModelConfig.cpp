//===- ModelConfig.cpp - Read a Mamba-1 config.json -----------------------===//
//
// A config that is misread silently gives a model that runs and produces
// wrong logits, so every field that changes the math is type-checked and
// range-checked, and a config of another architecture (Mamba-2, a hybrid
// with attention layers, LayerNorm instead of RMSNorm) is refused by name
// rather than imported as if it were Mamba-1. Fields that only matter for
// training or initialization (time_step_min, initializer_range, ...) are
// ignored, as transformers ignores them at inference.
//
//===----------------------------------------------------------------------===//

#include "mamba/Import/ModelConfig.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::mamba;
namespace json = llvm::json;

namespace {

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

/// Hugging Face transformers' MambaConfig (model_type "mamba").
ModelConfig readHuggingFace(FieldReader &fields) {
  ModelConfig config;
  config.layout = ConfigLayout::HuggingFace;
  config.hidden = fields.integer("hidden_size", std::nullopt, 1, kMaxSize);
  config.layers =
      fields.integer("num_hidden_layers", std::nullopt, 0, kMaxLayers);
  config.vocab = fields.integer("vocab_size", std::nullopt, 1, kMaxSize);
  config.stateSize = fields.integer("state_size", 16, 1, kMaxSize);
  config.convKernel = fields.integer("conv_kernel", 4, 1, kMaxSize);
  int64_t expand = fields.integer("expand", 2, 1, kMaxSize);
  config.inner =
      fields.integer("intermediate_size", expand * config.hidden, 1, kMaxSize);
  if (config.inner > kMaxSize)
    fields.fail("expand", "times hidden_size is too large");
  config.dtRank = fields.rankOrAuto("time_step_rank");
  config.eps = fields.positiveNumber("layer_norm_epsilon", 1e-5);
  config.useBias = fields.boolean("use_bias", false);
  config.useConvBias = fields.boolean("use_conv_bias", true);
  config.tieEmbeddings = fields.boolean("tie_word_embeddings", true);
  config.residualInFp32 = fields.boolean("residual_in_fp32", true);
  return config;
}

/// mamba_ssm's MambaConfig: d_model, n_layer and the block options in
/// ssm_cfg; the vocabulary is padded up to pad_vocab_size_multiple.
ModelConfig readStateSpaces(const json::Object &root, FieldReader &fields,
                            std::string &error) {
  ModelConfig config;
  config.layout = ConfigLayout::StateSpaces;
  config.hidden = fields.integer("d_model", std::nullopt, 1, kMaxSize);
  config.layers = fields.integer("n_layer", std::nullopt, 0, kMaxLayers);
  int64_t vocab = fields.integer("vocab_size", std::nullopt, 1, kMaxSize);
  int64_t multiple = fields.integer("pad_vocab_size_multiple", 8, 1, kMaxSize);
  config.vocab = (vocab + multiple - 1) / multiple * multiple;
  config.eps = fields.positiveNumber("norm_epsilon", 1e-5);
  config.tieEmbeddings = fields.boolean("tie_embeddings", true);
  config.residualInFp32 = fields.boolean("residual_in_fp32", true);
  if (!fields.boolean("rms_norm", true))
    fields.fail("rms_norm", "is false: LayerNorm models are not supported, "
                            "only RMSNorm (rms_norm = true)");
  if (fields.integer("d_intermediate", 0, 0, kMaxSize) != 0)
    fields.fail("d_intermediate",
                "is not 0: blocks with an MLP are not supported");
  if (const json::Array *attention = root.getArray("attn_layer_idx"))
    if (!attention->empty())
      fields.fail("attn_layer_idx",
                  "is not empty: hybrid models with attention layers are not "
                  "supported");
  if (fields.failed())
    return config;

  static const json::Object empty;
  const json::Object *ssm = root.getObject("ssm_cfg");
  if (!ssm && root.get("ssm_cfg") &&
      root.get("ssm_cfg")->kind() != json::Value::Null) {
    fields.fail("ssm_cfg", "must be an object");
    return config;
  }
  FieldReader block(ssm ? *ssm : empty, "ssm_cfg.", error);
  if (std::optional<std::string> layer = block.string("layer"))
    if (*layer != "Mamba1")
      block.fail("layer",
                 "is \"" + *layer + "\": only Mamba-1 blocks are supported");
  config.stateSize = block.integer("d_state", 16, 1, kMaxSize);
  config.convKernel = block.integer("d_conv", 4, 1, kMaxSize);
  int64_t expand = block.integer("expand", 2, 1, kMaxSize);
  config.inner = expand * config.hidden;
  if (config.inner > kMaxSize)
    block.fail("expand", "times d_model is too large");
  config.dtRank = block.rankOrAuto("dt_rank");
  config.useConvBias = block.boolean("conv_bias", true);
  config.useBias = block.boolean("bias", false);
  return config;
}

} // namespace

std::optional<ModelConfig> mlir::mamba::parseModelConfig(StringRef text,
                                                         std::string &error) {
  error.clear();
  llvm::Expected<json::Value> parsed = json::parse(text);
  if (!parsed) {
    error =
        "config.json is not valid JSON: " + llvm::toString(parsed.takeError());
    return std::nullopt;
  }
  const json::Object *root = parsed->getAsObject();
  if (!root) {
    error = "config.json must hold a JSON object";
    return std::nullopt;
  }
  FieldReader fields(*root, "", error);
  if (std::optional<std::string> type = fields.string("model_type")) {
    if (*type != "mamba") {
      fields.fail("model_type", "is \"" + *type +
                                    "\": only Mamba-1 models (\"mamba\") are "
                                    "supported");
      return std::nullopt;
    }
  }

  ModelConfig config;
  if (fields.has("d_model"))
    config = readStateSpaces(*root, fields, error);
  else if (fields.has("hidden_size"))
    config = readHuggingFace(fields);
  else
    error = "config.json is not a Mamba config: it has neither hidden_size "
            "(Hugging Face MambaConfig) nor d_model (state-spaces "
            "MambaConfig)";
  if (!error.empty())
    return std::nullopt;
  if (config.dtRank == 0)
    config.dtRank = (config.hidden + 15) / 16;
  config.torchDtype = fields.string("torch_dtype");
  if (!error.empty())
    return std::nullopt;
  return config;
}
