//===- ModelImporter.cpp - A model directory as mamba IR ------------------===//
//
// The model is MambaForCausalLM of transformers:
//
//   h = embeddings[ids]
//   per layer: residual = h (f32 with residual_in_fp32)
//              h = residual + mixer(rms_norm(h))
//   logits = lm_head(rms_norm_f(h))
//
// Prefill computes the logits of the token positions it is asked for (its
// `logit_rows` input, rows of the flattened [b * L] positions): generation
// needs each prompt's last position only, which saves the lm_head GEMM over
// every other one (b x L x V logits); a check asks for every row.
//
// written with the fused residual add of mamba.rms_norm: layer i's norm adds
// layer i-1's mixer output to the residual stream and returns both the sum
// (the next residual) and its normalization, which is what mamba_ssm's
// fused add-norm kernels compute.
//
//===----------------------------------------------------------------------===//

#include "mamba/Import/ModelImporter.h"

#include "ModelWeights.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::mamba;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// The compute type named by `dtype`, or by the config and the embedding
/// table for "auto"; null with `error` set for anything else.
Type computeType(MLIRContext *context, const std::string &dtype,
                 const ModelConfig &config, const StoredTensor &embedding,
                 std::string &error) {
  auto fromName = [&](StringRef name) -> Type {
    if (name == "f32" || name == "float32" || name == "F32")
      return Float32Type::get(context);
    if (name == "bf16" || name == "bfloat16" || name == "BF16")
      return BFloat16Type::get(context);
    if (name == "f16" || name == "float16" || name == "F16")
      return Float16Type::get(context);
    return Type();
  };
  if (dtype != "auto") {
    Type type = fromName(dtype);
    if (!type)
      error = "unknown dtype '" + dtype + "': expected auto, f32, bf16 or f16";
    return type;
  }
  if (config.torchDtype) {
    if (Type type = fromName(*config.torchDtype))
      return type;
    error = "config torch_dtype '" + *config.torchDtype +
            "' is not float32, bfloat16 or float16; choose a dtype";
    return Type();
  }
  if (Type type = fromName(embedding.dtype))
    return type;
  error = "the embedding table is " + embedding.dtype +
          " and the config names no torch_dtype; choose a dtype";
  return Type();
}

/// Builds the two functions of one model.
class ModelBuilder {
public:
  ModelBuilder(ModuleOp module, const ModelConfig &config,
               ArrayRef<ModelWeight> weights, Type act)
      : module(module), builder(module.getContext()), loc(module.getLoc()),
        config(config), weights(weights), act(act), f32(builder.getF32Type()),
        residual(config.residualInFp32 ? f32 : act),
        stateKinds(stateKindsOf(config)) {}

  void buildPrefill() {
    SmallVector<Type> results = {tensor({kDynamic, config.vocab})};
    Type i32 = builder.getI32Type();
    SmallVector<Type> leading = {
        RankedTensorType::get({kDynamic, kDynamic}, i32),
        RankedTensorType::get({kDynamic}, i32)};
    appendStateTypes(results);
    results.push_back(RankedTensorType::get({kDynamic}, i32));
    func::FuncOp func = beginFunction("prefill", leading, {"ids", "logit_rows"},
                                      results, /*leadingStates=*/false);
    func.setResultAttr(results.size() - 1, "mamba.output",
                       builder.getStringAttr("next_ids"));

    Value h = embed(func.getArgument(0), {kDynamic, kDynamic, config.hidden});
    SmallVector<SmallVector<Value>> states(stateKinds.size());
    Value stream;
    for (int64_t layer = 0; layer < config.layers; ++layer) {
      auto [normed, sum] = addNorm(h, stream, layerName(layer, "norm.weight"),
                                   /*keepSum=*/true);
      stream = sum;
      SmallVector<Type> types = {normed.getType()};
      for (const StateKind &kind : stateKinds)
        types.push_back(stateType(kind));
      Operation *mixer = buildLayerMixer(layer, types, {normed});
      h = mixer->getResult(0);
      for (size_t k = 0; k < stateKinds.size(); ++k)
        states[k].push_back(mixer->getResult(1 + k));
    }
    finish(h, stream, {kDynamic, config.vocab}, states,
           /*rows=*/func.getArgument(1));
  }

  void buildDecodeStep() {
    SmallVector<Type> results = {tensor({kDynamic, config.vocab})};
    SmallVector<Type> leading = {
        RankedTensorType::get({kDynamic}, builder.getI32Type())};
    SmallVector<std::string> leadingNames = {"ids"};
    appendStateTypes(results);
    appendStateTypes(leading);
    // The greedy choice, made on the GPU: the host reads b ids, not b x V
    // logits, when it decodes greedily.
    results.push_back(RankedTensorType::get({kDynamic}, builder.getI32Type()));
    func::FuncOp func = beginFunction("decode_step", leading, leadingNames,
                                      results, /*leadingStates=*/true);
    func.setResultAttr(results.size() - 1, "mamba.output",
                       builder.getStringAttr("next_ids"));

    Value h = embed(func.getArgument(0), {kDynamic, config.hidden});
    SmallVector<SmallVector<Value>> states(stateKinds.size());
    Value stream;
    for (int64_t layer = 0; layer < config.layers; ++layer) {
      auto [normed, sum] = addNorm(h, stream, layerName(layer, "norm.weight"),
                                   /*keepSum=*/true);
      stream = sum;
      SmallVector<Value> leading = {normed};
      SmallVector<Type> types = {normed.getType()};
      for (size_t k = 0; k < stateKinds.size(); ++k) {
        Value state = func.getArgument(1 + k * config.layers + layer);
        leading.push_back(state);
        types.push_back(state.getType());
      }
      Operation *step = buildLayerMixer(layer, types, leading);
      h = step->getResult(0);
      for (size_t k = 0; k < stateKinds.size(); ++k)
        states[k].push_back(step->getResult(1 + k));
    }
    finish(h, stream, {kDynamic, config.vocab}, states);
  }

private:
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : act);
  }

  /// One kind of decode state a layer keeps: its name ("layers.I.NAME"),
  /// its dimensions after the batch, and whether it is f32 (the SSM
  /// state) or the activation type (conv windows).
  struct StateKind {
    const char *name;
    SmallVector<int64_t> dims;
    bool f32;
  };

  /// Mamba-1: the conv window [E, K] and the SSM state [E, N]. Mamba-2:
  /// the conv windows of x, B and C ([E, K], [GN, K], [GN, K]) and the SSD
  /// state [H, P, N].
  static SmallVector<StateKind> stateKindsOf(const ModelConfig &config) {
    const int64_t E = config.inner, K = config.convKernel, N = config.stateSize;
    if (config.family == ModelFamily::Mamba2) {
      const int64_t GN = config.groups * N;
      return {{"conv_x", {E, K}, false},
              {"conv_b", {GN, K}, false},
              {"conv_c", {GN, K}, false},
              {"ssm", {config.heads, config.headDim, N}, true}};
    }
    return {{"conv", {E, K}, false}, {"ssm", {E, N}, true}};
  }

  RankedTensorType stateType(const StateKind &kind) {
    SmallVector<int64_t> shape = {kDynamic};
    llvm::append_range(shape, kind.dims);
    return RankedTensorType::get(shape, kind.f32 ? f32 : act);
  }

  /// Every layer's state of the first kind, then of the second, ...
  void appendStateTypes(SmallVectorImpl<Type> &types) {
    for (const StateKind &kind : stateKinds)
      for (int64_t layer = 0; layer < config.layers; ++layer)
        types.push_back(stateType(kind));
  }

  std::string stateName(int64_t index) const {
    return "layers." + std::to_string(index % config.layers) + "." +
           stateKinds[index / config.layers].name;
  }

  static std::string layerName(int64_t layer, const char *suffix) {
    return layerWeightName(layer, suffix);
  }

  /// A function taking `leading` (named `leadingNames`, then states when
  /// `leadingStates`) and every weight; its entry block becomes the
  /// insertion point and weight names map to their arguments.
  func::FuncOp beginFunction(StringRef name, ArrayRef<Type> leading,
                             ArrayRef<std::string> leadingNames,
                             ArrayRef<Type> results, bool leadingStates) {
    SmallVector<Type> inputs(leading);
    for (const ModelWeight &weight : weights)
      inputs.push_back(RankedTensorType::get(
          weight.shape, weight.role == WeightRole::Float32 ? f32 : act));
    builder.setInsertionPointToEnd(module.getBody());
    auto func = func::FuncOp::create(builder, loc, name,
                                     builder.getFunctionType(inputs, results));
    for (auto [index, input] : llvm::enumerate(leadingNames))
      func.setArgAttr(index, "mamba.input", builder.getStringAttr(input));
    int64_t states = stateKinds.size() * config.layers;
    if (leadingStates)
      for (int64_t i = 0; i < states; ++i)
        func.setArgAttr(leadingNames.size() + i, "mamba.state",
                        builder.getStringAttr(stateName(i)));
    weightArgs.clear();
    for (auto [index, weight] : llvm::enumerate(weights)) {
      unsigned arg = leading.size() + index;
      func.setArgAttr(arg, "mamba.weight", builder.getStringAttr(weight.name));
      weightArgs[weight.name] = arg;
    }
    func.setResultAttr(0, "mamba.output", builder.getStringAttr("logits"));
    for (int64_t i = 0; i < states; ++i)
      func.setResultAttr(1 + i, "mamba.state",
                         builder.getStringAttr(stateName(i)));
    builder.setInsertionPointToStart(func.addEntryBlock());
    function = func;
    return func;
  }

  /// The argument of weight `name`, null for an absent optional weight.
  Value weight(const std::string &name) {
    auto it = weightArgs.find(name);
    return it == weightArgs.end() ? Value() : function.getArgument(it->second);
  }

  Value embed(Value ids, ArrayRef<int64_t> shape) {
    return EmbeddingOp::create(
               builder, loc, tensor(shape), ids,
               function.getArgument(weightArgs[weights.front().name]))
        .getY();
  }

  /// rms_norm(h + stream) (just rms_norm(h) without a stream); returns the
  /// normalized activations and, with `keepSum`, the new residual stream.
  std::pair<Value, Value> addNorm(Value h, Value stream,
                                  const std::string &weightName, bool keepSum) {
    auto type = cast<RankedTensorType>(h.getType());
    Type sumType = keepSum ? tensor(type.getShape(), residual) : Type();
    auto norm = RmsNormOp::create(
        builder, loc, type, sumType, h, weight(weightName), stream,
        builder.getF32FloatAttr(static_cast<float>(config.eps)));
    return {norm.getY(), norm.getResidualOut()};
  }

  /// conv1d.weight as [channels, K] (PyTorch stores [channels, 1, K]).
  Value convWeight(int64_t layer) {
    Value stored = weight(layerName(layer, "mixer.conv1d.weight"));
    auto type = cast<RankedTensorType>(stored.getType());
    if (type.getRank() == 2)
      return stored;
    SmallVector<ReassociationIndices> reassociation = {{0, 1}, {2}};
    return tensor::CollapseShapeOp::create(builder, loc, stored, reassociation)
        .getResult();
  }

  /// The mixer of `layer` on `leading` operands (the normalized hidden
  /// state, then the states a decode step continues from): mamba.mixer(2)
  /// for a prefill, mamba.mixer(2)_step for a decode step.
  Operation *buildLayerMixer(int64_t layer, ArrayRef<Type> resultTypes,
                             ArrayRef<Value> leading) {
    bool step = leading.size() > 1;
    auto name = [&](const char *suffix) {
      return weight(layerName(layer, (std::string("mixer.") + suffix).c_str()));
    };
    if (config.family == ModelFamily::Mamba2) {
      Value weights[] = {name("in_proj.weight"),  name("in_proj.bias"),
                         convWeight(layer),       name("conv1d.bias"),
                         name("dt_bias"),         name("A_log"),
                         headsD(name("D")),       name("norm.weight"),
                         name("out_proj.weight"), name("out_proj.bias")};
      Operation *op =
          step ? buildMixer<Mixer2StepOp>(resultTypes, leading, weights)
               : buildMixer<Mixer2Op>(resultTypes, leading, weights);
      op->setAttr("n_groups", builder.getI64IntegerAttr(config.groups));
      op->setAttr("chunk_size", builder.getI64IntegerAttr(config.chunkSize));
      op->setAttr("norm_eps", builder.getF64FloatAttr(config.gatedNormEps));
      // mamba_ssm clamps dt only when its dt_limit is not (0, inf).
      if (config.dtMin != 0.0 || !std::isinf(config.dtMax)) {
        op->setAttr("dt_min", builder.getF64FloatAttr(config.dtMin));
        if (!std::isinf(config.dtMax))
          op->setAttr("dt_max", builder.getF64FloatAttr(config.dtMax));
      }
      return op;
    }
    Value weights[] = {
        name("in_proj.weight"),  name("in_proj.bias"),  convWeight(layer),
        name("conv1d.bias"),     name("x_proj.weight"), name("dt_proj.weight"),
        name("dt_proj.bias"),    name("A_log"),         name("D"),
        name("out_proj.weight"), name("out_proj.bias")};
    return step ? buildMixer<MixerStepOp>(resultTypes, leading, weights)
                : buildMixer<MixerOp>(resultTypes, leading, weights);
  }

  /// A Mamba-2 D stored per channel ([E], mamba_ssm's D_has_hdim) as the
  /// [H, P] the scan takes; per head ([H]) as it is.
  Value headsD(Value d) {
    if (!config.dPerChannel)
      return d;
    auto type = RankedTensorType::get({config.heads, config.headDim}, f32);
    SmallVector<ReassociationIndices> reassociation = {{0, 1}};
    return tensor::ExpandShapeOp::create(builder, loc, type, d, reassociation)
        .getResult();
  }

  /// An op of `OpTy` with `leading` operands, then `weights` (null for an
  /// absent optional one).
  template <typename OpTy>
  Operation *buildMixer(ArrayRef<Type> resultTypes, ArrayRef<Value> leading,
                        ArrayRef<Value> weights) {
    SmallVector<Value> operands(leading);
    SmallVector<int32_t> segments(leading.size(), 1);
    for (Value operand : weights) {
      segments.push_back(operand ? 1 : 0);
      if (operand)
        operands.push_back(operand);
    }
    OperationState state(loc, OpTy::getOperationName());
    state.addOperands(operands);
    state.addTypes(resultTypes);
    state.addAttribute(OpTy::getOperandSegmentSizesAttrName(state.name),
                       builder.getDenseI32ArrayAttr(segments));
    return builder.create(state);
  }

  /// norm_f, lm_head and the return, with the logits' argmax last. With
  /// `rows`, h is [b, L, D] and only those rows of its flattened positions
  /// reach lm_head.
  void finish(Value h, Value stream, ArrayRef<int64_t> logitsShape,
              ArrayRef<SmallVector<Value>> states, Value rows = {}) {
    auto [normed, unused] =
        addNorm(h, stream, "backbone.norm_f.weight", /*keepSum=*/false);
    (void)unused;
    if (rows) {
      SmallVector<ReassociationIndices> positions = {{0, 1}, {2}};
      Value flat =
          tensor::CollapseShapeOp::create(builder, loc, normed, positions);
      normed = EmbeddingOp::create(
                   builder, loc, tensor({kDynamic, config.hidden}), rows, flat)
                   .getY();
    }
    std::string head = config.tieEmbeddings ? weights.front().name
                                            : std::string("lm_head.weight");
    Value logits = LinearOp::create(builder, loc, tensor(logitsShape), normed,
                                    weight(head), Value())
                       .getY();
    SmallVector<Value> results = {logits};
    for (ArrayRef<Value> kind : states)
      llvm::append_range(results, kind);
    auto idsType =
        RankedTensorType::get(logitsShape.drop_back(), builder.getI32Type());
    results.push_back(ArgmaxOp::create(builder, loc, idsType, logits).getIds());
    func::ReturnOp::create(builder, loc, results);
  }

  ModuleOp module;
  OpBuilder builder;
  Location loc;
  const ModelConfig &config;
  ArrayRef<ModelWeight> weights;
  Type act, f32, residual;
  SmallVector<StateKind> stateKinds;
  func::FuncOp function;
  llvm::StringMap<unsigned> weightArgs;
};

/// The config sizes as a module attribute, for tools that read the IR.
DictionaryAttr configAttr(Builder &b, const ModelConfig &config, Type act) {
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("hidden_size", b.getI64IntegerAttr(config.hidden)),
      b.getNamedAttr("num_layers", b.getI64IntegerAttr(config.layers)),
      b.getNamedAttr("vocab_size", b.getI64IntegerAttr(config.vocab)),
      b.getNamedAttr("state_size", b.getI64IntegerAttr(config.stateSize)),
      b.getNamedAttr("conv_kernel", b.getI64IntegerAttr(config.convKernel)),
      b.getNamedAttr("intermediate_size", b.getI64IntegerAttr(config.inner)),
      b.getNamedAttr("layer_norm_epsilon", b.getF64FloatAttr(config.eps)),
      b.getNamedAttr("tie_word_embeddings",
                     b.getBoolAttr(config.tieEmbeddings)),
      b.getNamedAttr("residual_in_fp32", b.getBoolAttr(config.residualInFp32)),
      b.getNamedAttr("dtype", TypeAttr::get(act)),
  };
  if (config.family == ModelFamily::Mamba2) {
    entries.push_back(b.getNamedAttr("model_type", b.getStringAttr("mamba2")));
    entries.push_back(
        b.getNamedAttr("num_heads", b.getI64IntegerAttr(config.heads)));
    entries.push_back(
        b.getNamedAttr("head_dim", b.getI64IntegerAttr(config.headDim)));
    entries.push_back(
        b.getNamedAttr("n_groups", b.getI64IntegerAttr(config.groups)));
    entries.push_back(
        b.getNamedAttr("chunk_size", b.getI64IntegerAttr(config.chunkSize)));
  } else {
    entries.push_back(b.getNamedAttr("model_type", b.getStringAttr("mamba")));
    entries.push_back(
        b.getNamedAttr("time_step_rank", b.getI64IntegerAttr(config.dtRank)));
  }
  return b.getDictionaryAttr(entries);
}

} // namespace

OwningOpRef<ModuleOp>
mlir::mamba::importModel(MLIRContext *context, const std::string &directory,
                         const ModelImportOptions &options,
                         std::string &error) {
  error.clear();
  context
      ->loadDialect<MambaDialect, func::FuncDialect, tensor::TensorDialect>();

  llvm::SmallString<256> configPath(directory);
  llvm::sys::path::append(configPath, "config.json");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> text =
      llvm::MemoryBuffer::getFile(configPath);
  if (!text) {
    error = "cannot read " + configPath.str().str() + ": " +
            text.getError().message();
    return nullptr;
  }
  std::optional<ModelConfig> config =
      parseModelConfig((*text)->getBuffer(), error);
  if (!config) {
    error = configPath.str().str() + ": " + error;
    return nullptr;
  }

  StoredTensors stored;
  std::vector<ModelWeight> weights;
  if (!readStoredTensors(directory, stored, error) ||
      !expectedWeights(*config, stored, weights, error))
    return nullptr;
  Type act = computeType(context, options.dtype, *config,
                         stored.at(weights.front().name), error);
  if (!act)
    return nullptr;

  OpBuilder b(context);
  Location loc = FileLineColLoc::get(b.getStringAttr(configPath), 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  (*module)->setAttr("mamba.model", configAttr(b, *config, act));
  ModelBuilder model(*module, *config, weights, act);
  model.buildPrefill();
  model.buildDecodeStep();

  // The verifiers are the last line against an inconsistency between the
  // config checks above and the ops' own rules.
  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      llvm::raw_string_ostream(diagnostics) << diag << "\n";
      return success();
    });
    if (failed(verify(*module))) {
      error = "the imported model does not verify: " + diagnostics;
      return nullptr;
    }
  }
  return module;
}
