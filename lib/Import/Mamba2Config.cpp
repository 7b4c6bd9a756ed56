//===- Mamba2Config.cpp - Read a Mamba-2 config.json ----------------------===//
//
// Mamba2ForCausalLM's sizes in both layouts (transformers' Mamba2Config and
// mamba_ssm's ssm_cfg with layer "Mamba2"), checked as strictly as
// Mamba-1's: the head count and size must multiply to the inner size, the
// groups divide the heads, and a variant the kernels do not run (no gated
// norm, the norm before the gate, an inner SSM narrower than the block, an
// unknown time-step limit spelling) is refused by field name rather than
// imported as another model.
//
//===----------------------------------------------------------------------===//

#include "ConfigFields.h"

#include "mamba/Format/PythonJson.h"

using namespace mlir;
using namespace mlir::mamba;
using namespace mlir::mamba::detail;

namespace {

/// A number in any spelling a model's config.json uses for one: a JSON
/// number, a string ("Infinity", "inf", "1e-3"), or transformers 5's
/// {"__float__": "Infinity"}.
std::optional<double> looseNumber(const json::Value &value) {
  if (std::optional<double> number = value.getAsNumber())
    return number;
  if (std::optional<StringRef> text = value.getAsString())
    return ::mamba::format::parseFloatWord(std::string_view(*text));
  if (const json::Object *object = value.getAsObject())
    if (object->size() == 1)
      if (const json::Value *inner = object->get("__float__"))
        if (std::optional<StringRef> text = inner->getAsString())
          return ::mamba::format::parseFloatWord(std::string_view(*text));
  return std::nullopt;
}

/// time_step_limit / dt_limit: [low, high] with 0 <= low <= high, high
/// possibly infinite.
void readTimeStepLimit(FieldReader &fields, StringRef key,
                       ModelConfig &config) {
  const json::Value *value = fields.get(key);
  if (!value || value->kind() == json::Value::Null)
    return;
  const json::Array *pair = value->getAsArray();
  std::optional<double> low, high;
  if (pair && pair->size() == 2) {
    low = looseNumber((*pair)[0]);
    high = looseNumber((*pair)[1]);
  }
  if (!low || !high) {
    fields.fail(key, "must be a pair [low, high] of numbers (Infinity, "
                     "\"Infinity\" and {\"__float__\": \"Infinity\"} are "
                     "read as infinity)");
    return;
  }
  if (std::isnan(*low) || std::isnan(*high) || *low < 0.0 || *low > *high ||
      std::isinf(*low)) {
    char text[64];
    std::snprintf(text, sizeof(text), "[%g, %g]", *low, *high);
    fields.fail(key, std::string("is ") + text +
                         ", expected 0 <= low <= high with low finite");
    return;
  }
  config.dtMin = *low;
  config.dtMax = *high;
}

/// What both layouts check once their fields are read: E = H * P, the
/// groups divide the heads.
void checkHeads(FieldReader &fields, const char *headsField,
                const char *headDimField, const char *groupsField,
                ModelConfig &config) {
  if (fields.failed())
    return;
  if (config.heads * config.headDim != config.inner) {
    fields.fail(headsField,
                llvm::formatv("times {0} is {1} * {2} = {3}, but the inner "
                              "size (expand * hidden size) is {4}",
                              headDimField, config.heads, config.headDim,
                              config.heads * config.headDim, config.inner)
                    .str());
    return;
  }
  if (config.heads % config.groups != 0)
    fields.fail(groupsField,
                llvm::formatv("is {0}, which does not divide the {1} heads",
                              config.groups, config.heads)
                    .str());
}

} // namespace

ModelConfig mlir::mamba::detail::readMamba2HuggingFace(FieldReader &fields) {
  ModelConfig config;
  config.layout = ConfigLayout::HuggingFace;
  config.family = ModelFamily::Mamba2;
  config.hidden = fields.integer("hidden_size", std::nullopt, 1, kMaxSize);
  config.layers =
      fields.integer("num_hidden_layers", std::nullopt, 0, kMaxLayers);
  config.vocab = fields.integer("vocab_size", std::nullopt, 1, kMaxSize);
  config.stateSize = fields.integer("state_size", 128, 1, kMaxSize);
  config.convKernel = fields.integer("conv_kernel", 4, 1, kMaxSize);
  int64_t expand = fields.integer("expand", 2, 1, kMaxSize);
  config.inner = expand * config.hidden;
  if (config.inner > kMaxSize)
    fields.fail("expand", "times hidden_size is too large");
  config.headDim = fields.integer("head_dim", 64, 1, kMaxSize);
  config.heads = fields.integer("num_heads", 128, 1, kMaxSize);
  config.groups = fields.integer("n_groups", 8, 1, kMaxSize);
  config.chunkSize = fields.integer("chunk_size", 256, 1, kMaxSize);
  config.eps = fields.positiveNumber("layer_norm_epsilon", 1e-5);
  config.gatedNormEps = config.eps;
  config.useBias = fields.boolean("use_bias", false);
  config.useConvBias = fields.boolean("use_conv_bias", true);
  // transformers' Mamba2Config unties by default, unlike MambaConfig.
  config.tieEmbeddings = fields.boolean("tie_word_embeddings", false);
  config.residualInFp32 = fields.boolean("residual_in_fp32", true);
  readTimeStepLimit(fields, "time_step_limit", config);
  if (!fields.boolean("rms_norm", true))
    fields.fail("rms_norm", "is false: only Mamba-2 blocks with the gated "
                            "RMSNorm (rms_norm = true) are supported");
  if (fields.boolean("norm_before_gate", false))
    fields.fail("norm_before_gate",
                "is true: only the norm after the gate (false, what the "
                "released models use) is supported");
  checkHeads(fields, "num_heads", "head_dim", "n_groups", config);
  return config;
}

void mlir::mamba::detail::readMamba2StateSpaces(const json::Object &ssmCfg,
                                                FieldReader &block,
                                                ModelConfig &config) {
  config.family = ModelFamily::Mamba2;
  config.stateSize = block.integer("d_state", 128, 1, kMaxSize);
  config.convKernel = block.integer("d_conv", 4, 1, kMaxSize);
  int64_t expand = block.integer("expand", 2, 1, kMaxSize);
  config.inner = expand * config.hidden;
  if (config.inner > kMaxSize)
    block.fail("expand", "times d_model is too large");
  config.headDim = block.integer("headdim", 64, 1, kMaxSize);
  config.groups = block.integer("ngroups", 1, 1, kMaxSize);
  config.chunkSize = block.integer("chunk_size", 256, 1, kMaxSize);
  config.useConvBias = block.boolean("conv_bias", true);
  config.useBias = block.boolean("bias", false);
  config.dPerChannel = block.boolean("D_has_hdim", false);
  readTimeStepLimit(block, "dt_limit", config);
  if (block.failed())
    return;
  if (config.inner % config.headDim != 0) {
    block.fail("headdim",
               llvm::formatv("is {0}, which does not divide the inner size "
                             "expand * d_model = {1}",
                             config.headDim, config.inner)
                   .str());
    return;
  }
  config.heads = config.inner / config.headDim;
  if (const json::Value *dSsm = ssmCfg.get("d_ssm"))
    if (dSsm->kind() != json::Value::Null &&
        block.integer("d_ssm", std::nullopt, 1, kMaxSize) != config.inner)
      block.fail("d_ssm", "differs from the inner size: blocks whose SSM "
                          "covers only part of the channels (an MLP beside "
                          "it) are not supported");
  if (!block.boolean("rmsnorm", true))
    block.fail("rmsnorm", "is false: only Mamba-2 blocks with the gated "
                          "RMSNorm (rmsnorm = true) are supported");
  if (block.boolean("norm_before_gate", false))
    block.fail("norm_before_gate",
               "is true: only the norm after the gate (false, what the "
               "released models use) is supported");
  checkHeads(block, "headdim", "the heads", "ngroups", config);
}
