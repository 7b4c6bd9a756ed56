//===- ModelConfig.cpp - Read a model's config.json -----------------------===//
//
// A config that is misread silently gives a model that runs and produces
// wrong logits, so every field that changes the math is type-checked and
// range-checked, and a config of another architecture (a hybrid with
// attention layers, LayerNorm instead of RMSNorm, a block other than
// Mamba-1 and Mamba-2) is refused by name rather than imported as if it
// were one of them. Mamba-2's fields are read by Mamba2Config.cpp. Fields
// that only matter for training or initialization (time_step_min,
// initializer_range, ...) are ignored, as transformers ignores them at
// inference.
//
//===----------------------------------------------------------------------===//

#include "ConfigFields.h"

#include "mamba/Format/PythonJson.h"

using namespace mlir;
using namespace mlir::mamba;
using namespace mlir::mamba::detail;

namespace {

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
  if (std::optional<std::string> layer = block.string("layer")) {
    if (*layer == "Mamba2") {
      readMamba2StateSpaces(ssm ? *ssm : empty, block, config);
      return config;
    }
    if (*layer != "Mamba1")
      block.fail("layer",
                 "is \"" + *layer +
                     "\": only Mamba-1 and Mamba-2 blocks (\"Mamba1\", "
                     "\"Mamba2\") are supported");
  }
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
  // Python's json.dump writes an unbounded time_step_limit as a bare
  // Infinity, which strict JSON refuses.
  llvm::Expected<json::Value> parsed =
      json::parse(::mamba::format::quotePythonFloatWords(
          std::string_view(text.data(), text.size())));
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
  std::optional<std::string> type = fields.string("model_type");
  if (type && *type != "mamba" && *type != "mamba2") {
    fields.fail("model_type", "is \"" + *type +
                                  "\": only Mamba-1 and Mamba-2 models "
                                  "(\"mamba\", \"mamba2\") are supported");
    return std::nullopt;
  }

  ModelConfig config;
  if (type && *type == "mamba2" && fields.has("hidden_size"))
    config = readMamba2HuggingFace(fields);
  else if (fields.has("d_model"))
    config = readStateSpaces(*root, fields, error);
  else if (fields.has("hidden_size"))
    config = readHuggingFace(fields);
  else
    error = "config.json is not a Mamba config: it has neither hidden_size "
            "(Hugging Face MambaConfig) nor d_model (state-spaces "
            "MambaConfig)";
  if (!error.empty())
    return std::nullopt;
  if (config.family == ModelFamily::Mamba1 && config.dtRank == 0)
    config.dtRank = (config.hidden + 15) / 16;
  config.torchDtype = fields.string("torch_dtype");
  if (!error.empty())
    return std::nullopt;
  return config;
}
