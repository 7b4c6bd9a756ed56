//===- ModelPlan.cpp - A compiled model's execution plan ------------------===//
//
// Every tensor value of an entry gets a buffer; every op either computes
// one (a GEMM or kernel step), names part of one (a view: a weight's row
// block, a reshape), derives a weight once at load time (A = -exp(A_log)),
// or is shape arithmetic that only feeds the buffers' shape expressions.
// Anything else is an error naming the op, so that nothing of a model is
// silently dropped on its way to the runtime.
//
//===----------------------------------------------------------------------===//

#include "mamba/Target/ModelPlan.h"

#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Target/ModuleFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
using namespace mlir::mamba;
namespace json = llvm::json;

namespace {

bool isKernelOp(Operation *op) {
  return isa<EmbeddingOp, RmsNormOp, CausalConv1dOp, SelectiveScanOp,
             ConvStateUpdateOp, SelectiveStateUpdateOp, SelectiveStepOp,
             ArgmaxOp>(op);
}

/// linalg.map computing -exp(x): the A = -exp(A_log) of a mixer.
bool isNegExp(linalg::MapOp map) {
  Block &body = map.getMapper().front();
  if (body.getOperations().size() != 3)
    return false;
  auto exp = dyn_cast<math::ExpOp>(&body.front());
  auto neg = dyn_cast<arith::NegFOp>(exp ? exp->getNextNode() : nullptr);
  auto yield = dyn_cast<linalg::YieldOp>(neg ? neg->getNextNode() : nullptr);
  return exp && neg && yield && exp.getOperand() == body.getArgument(0) &&
         neg.getOperand() == exp.getResult() &&
         yield->getOperand(0) == neg.getResult();
}

/// What the model-wide tables hold: weights, derived weights, kernels.
class Planner {
public:
  explicit Planner(ModuleOp model)
      : model(model), kernels(ModuleOp::create(model.getLoc())),
        kernelBuilder(model.getContext()) {
    kernelBuilder.setInsertionPointToEnd(kernels->getBody());
  }

  FailureOr<ModelPlan> run();

  int64_t weightIndex(BlockArgument arg, StringRef name) {
    auto [it, inserted] = weightByName.try_emplace(name, weights.size());
    if (inserted) {
      auto type = cast<RankedTensorType>(arg.getType());
      weights.push_back(
          json::Object{{"name", name},
                       {"element", moduleElementName(type.getElementType())},
                       {"shape", json::Array(type.getShape())}});
    }
    return it->second;
  }

  int64_t derivedIndex(StringRef transform, int64_t weight,
                       RankedTensorType type) {
    std::string key = transform.str() + "#" + std::to_string(weight);
    auto [it, inserted] = derivedByKey.try_emplace(key, derived.size());
    if (inserted)
      derived.push_back(
          json::Object{{"transform", transform},
                       {"weight", weight},
                       {"element", moduleElementName(type.getElementType())},
                       {"shape", json::Array(type.getShape())}});
    return it->second;
  }

  /// The kernel function computing `op` (created on first sight).
  std::string kernelFor(Operation *op) {
    std::string key;
    llvm::raw_string_ostream os(key);
    os << op->getName() << op->getAttrDictionary() << "(";
    llvm::interleaveComma(op->getOperandTypes(), os);
    os << ")->(";
    llvm::interleaveComma(op->getResultTypes(), os);
    os << ")";
    auto it = kernelByKey.find(key);
    if (it != kernelByKey.end())
      return it->second;

    std::string name = "k" + std::to_string(kernelByKey.size()) + "_" +
                       op->getName().stripDialect().str();
    auto func =
        func::FuncOp::create(kernelBuilder, op->getLoc(), name,
                             kernelBuilder.getFunctionType(
                                 op->getOperandTypes(), op->getResultTypes()));
    OpBuilder body = OpBuilder::atBlockBegin(func.addEntryBlock());
    IRMapping mapping;
    mapping.map(op->getOperands(), func.getArguments());
    Operation *copy = body.clone(*op, mapping);
    func::ReturnOp::create(body, op->getLoc(), copy->getResults());
    kernelByKey.emplace(key, name);
    return name;
  }

private:
  ModuleOp model;
  OwningOpRef<ModuleOp> kernels;
  OpBuilder kernelBuilder;
  json::Array weights, derived;
  llvm::StringMap<int64_t> weightByName;
  std::map<std::string, int64_t> derivedByKey;
  std::map<std::string, std::string> kernelByKey;
};

/// One entry function's buffers and steps.
class EntryPlanner {
public:
  EntryPlanner(Planner &planner, func::FuncOp func)
      : planner(planner), func(func), builder(func.getContext()) {}

  FailureOr<json::Object> run();

private:
  int64_t addBuffer(Value value, json::Object buffer) {
    int64_t id = buffers.size();
    buffers.push_back(std::move(buffer));
    if (value)
      bufferOf[value] = id;
    return id;
  }

  FailureOr<int64_t> bufferFor(Operation *user, Value value) {
    auto it = bufferOf.find(value);
    if (it != bufferOf.end())
      return it->second;
    return user->emitOpError()
           << "uses a tensor the planner gave no buffer (operand of type "
           << value.getType() << ")";
  }

  /// An index value as a shape expression over the inputs' dimensions.
  FailureOr<json::Value> indexExpr(Value value);
  /// Dimension `dim` of a tensor value as a shape expression.
  FailureOr<json::Value> dimExpr(Value value, int64_t dim);
  FailureOr<json::Array> shapeOf(Value value);

  /// A new buffer for `value` of kind `source` (with its fields).
  LogicalResult defineBuffer(Value value, json::Object fields) {
    auto type = cast<RankedTensorType>(value.getType());
    FailureOr<json::Array> shape = shapeOf(value);
    if (failed(shape))
      return failure();
    fields["element"] = moduleElementName(type.getElementType());
    fields["shape"] = std::move(*shape);
    addBuffer(value, std::move(fields));
    return success();
  }

  FailureOr<json::Array> scanVariants(SelectiveScanOp scan);
  LogicalResult planArgument(BlockArgument arg);
  LogicalResult planOp(Operation *op);
  LogicalResult planView(Operation *op, Value source, int64_t offset);
  LogicalResult planSlice(tensor::ExtractSliceOp slice);

  Planner &planner;
  func::FuncOp func;
  OpBuilder builder;
  json::Array inputs, buffers, steps, outputs;
  DenseMap<Value, int64_t> bufferOf;
  DenseMap<Value, int64_t> inputIndexOf;
};

FailureOr<json::Value> EntryPlanner::indexExpr(Value value) {
  if (std::optional<int64_t> c = getConstantIntValue(value))
    return json::Value(*c);
  Operation *def = value.getDefiningOp();
  if (auto dim = dyn_cast_or_null<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    if (!index)
      return dim.emitOpError() << "with a dynamic index cannot be planned";
    return dimExpr(dim.getSource(), *index);
  }
  StringRef op = TypeSwitch<Operation *, StringRef>(def)
                     .Case<arith::AddIOp>([](auto) { return "add"; })
                     .Case<arith::SubIOp>([](auto) { return "sub"; })
                     .Case<arith::MulIOp>([](auto) { return "mul"; })
                     .Case<arith::DivUIOp>([](auto) { return "div"; })
                     .Case<arith::CeilDivUIOp>([](auto) { return "ceildiv"; })
                     .Case<arith::RemUIOp>([](auto) { return "rem"; })
                     .Case<arith::MinUIOp>([](auto) { return "min"; })
                     .Case<arith::MaxUIOp>([](auto) { return "max"; })
                     .Default([](Operation *) { return StringRef(); });
  if (op.empty()) {
    if (!def)
      return emitError(value.getLoc())
             << "a tensor size comes from a block argument the planner "
                "cannot express";
    return def->emitOpError()
           << "cannot be planned: tensor sizes may only use constants, "
              "dimensions and integer add, sub, mul, div, ceildiv, rem, min, "
              "max";
  }
  FailureOr<json::Value> lhs = indexExpr(def->getOperand(0));
  if (failed(lhs))
    return failure();
  FailureOr<json::Value> rhs = indexExpr(def->getOperand(1));
  if (failed(rhs))
    return failure();
  return json::Value(json::Object{
      {"op", op}, {"args", json::Array{std::move(*lhs), std::move(*rhs)}}});
}

/// A scan whose batch gives too few blocks to fill the GPU (one sequence
/// of a 130m model is 24 blocks of 64 channels, on 132 SMs) runs far faster
/// with its sequence split over blocks; with enough blocks the split's
/// second pass only costs. So a scan without its own tiling gets a split
/// variant, which the runtime picks when the default tiling's block count
/// (`when_blocks_below_sms`, over the entry's inputs) is below the device's
/// multiprocessor count. The split tiling is the best one measured for
/// b = 1, d = 1536, L = 2048 (bench/RESULTS.md).
FailureOr<json::Array> EntryPlanner::scanVariants(SelectiveScanOp scan) {
  constexpr int64_t kDefaultChannelsPerBlock = 64;
  constexpr int64_t kSplitChannels = 32, kSplitStates = 8, kSplitChunk = 16,
                    kSplits = 16;
  json::Array variants;
  auto u = cast<RankedTensorType>(scan.getU().getType());
  auto a = cast<RankedTensorType>(scan.getA().getType());
  if (scan.getTilingAttr() || u.isDynamicDim(1) || a.isDynamicDim(1) ||
      a.getDimSize(1) % kSplitStates != 0)
    return variants;
  Operation *clone = scan->clone();
  cast<SelectiveScanOp>(clone).setTilingAttr(ScanTilingAttr::get(
      scan.getContext(), kSplitChannels, kSplitStates, kSplitChunk, kSplits));
  std::string split = planner.kernelFor(clone);
  clone->destroy();
  FailureOr<json::Value> batch = dimExpr(scan.getU(), 0);
  if (failed(batch))
    return failure();
  json::Value channels(
      json::Object{{"op", "mul"},
                   {"args", json::Array{std::move(*batch), u.getDimSize(1)}}});
  json::Value blocks(json::Object{
      {"op", "ceildiv"},
      {"args", json::Array{std::move(channels), kDefaultChannelsPerBlock}}});
  variants.push_back(json::Object{
      {"function", split}, {"when_blocks_below_sms", std::move(blocks)}});
  return variants;
}

FailureOr<json::Value> EntryPlanner::dimExpr(Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.isDynamicDim(dim))
    return json::Value(type.getDimSize(dim));
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto it = inputIndexOf.find(arg);
    if (it == inputIndexOf.end())
      return func.emitOpError() << "argument " << arg.getArgNumber()
                                << " has a dynamic size but is not an input";
    return json::Value(json::Object{{"dim", json::Array{it->second, dim}}});
  }
  Operation *def = value.getDefiningOp();
  // A collapsed dimension is the product of the source's dimensions it
  // merges (its reification is an affine.apply, which sizes do not use).
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    std::optional<json::Value> product;
    for (int64_t sourceDim : collapse.getReassociationIndices()[dim]) {
      FailureOr<json::Value> size = dimExpr(collapse.getSrc(), sourceDim);
      if (failed(size))
        return failure();
      product = !product ? std::move(*size)
                         : json::Value(json::Object{
                               {"op", "mul"},
                               {"args", json::Array{std::move(*product),
                                                    std::move(*size)}}});
    }
    return std::move(*product);
  }
  auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(def);
  if (!reify)
    return def->emitOpError()
           << "has a result of dynamic size the planner cannot express";
  builder.setInsertionPoint(def);
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reify.reifyResultShapes(builder, shapes)))
    return def->emitOpError() << "cannot say the size of its result";
  OpFoldResult size = shapes[cast<OpResult>(value).getResultNumber()][dim];
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return json::Value(*c);
  return indexExpr(cast<Value>(size));
}

FailureOr<json::Array> EntryPlanner::shapeOf(Value value) {
  json::Array shape;
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  for (int64_t dim = 0; dim < rank; ++dim) {
    FailureOr<json::Value> size = dimExpr(value, dim);
    if (failed(size))
      return failure();
    shape.push_back(std::move(*size));
  }
  return shape;
}

LogicalResult EntryPlanner::planArgument(BlockArgument arg) {
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  if (!type)
    return func.emitOpError()
           << "argument " << arg.getArgNumber() << " is not a tensor";
  unsigned index = arg.getArgNumber();
  if (auto weight = func.getArgAttrOfType<StringAttr>(index, "mamba.weight")) {
    if (!type.hasStaticShape())
      return func.emitOpError()
             << "weight '" << weight.getValue() << "' has a dynamic shape";
    return defineBuffer(
        arg, json::Object{{"source", "weight"},
                          {"index", planner.weightIndex(arg, weight)}});
  }
  StringAttr name = func.getArgAttrOfType<StringAttr>(index, "mamba.input");
  if (!name)
    name = func.getArgAttrOfType<StringAttr>(index, "mamba.state");
  if (!name)
    return func.emitOpError()
           << "argument " << index
           << " is neither a weight, an input nor a state (mamba.weight, "
              "mamba.input or mamba.state)";
  int64_t input = inputs.size();
  json::Array shape;
  for (int64_t size : type.getShape())
    shape.push_back(ShapedType::isDynamic(size) ? int64_t(-1) : size);
  json::Object spec{{"name", name.getValue()},
                    {"element", moduleElementName(type.getElementType())},
                    {"shape", std::move(shape)}};
  if (func.getArgAttr(index, "mamba.state"))
    spec["state"] = true;
  inputs.push_back(std::move(spec));
  inputIndexOf[arg] = input;
  return defineBuffer(arg, json::Object{{"source", "input"}, {"index", input}});
}

LogicalResult EntryPlanner::planView(Operation *op, Value source,
                                     int64_t offset) {
  FailureOr<int64_t> of = bufferFor(op, source);
  if (failed(of))
    return failure();
  return defineBuffer(
      op->getResult(0),
      json::Object{{"source", "view"}, {"of", *of}, {"offset", offset}});
}

/// A slice is a view when it is a block of whole rows: unit strides, every
/// dimension after the first taken whole. Only static slices of static
/// tensors (weights) are planned.
LogicalResult EntryPlanner::planSlice(tensor::ExtractSliceOp slice) {
  RankedTensorType source = slice.getSourceType();
  if (!source.hasStaticShape() || !slice.hasUnitStride())
    return slice.emitOpError()
           << "cannot be planned: only unit-stride slices of static tensors "
              "(weights) are views";
  std::optional<SmallVector<int64_t>> offsets =
      getConstantIntValues(slice.getMixedOffsets());
  std::optional<SmallVector<int64_t>> sizes =
      getConstantIntValues(slice.getMixedSizes());
  if (!offsets || !sizes)
    return slice.emitOpError() << "with dynamic offsets or sizes cannot be "
                                  "planned";
  int64_t rowElements = 1;
  for (int64_t dim = 1; dim < source.getRank(); ++dim) {
    if ((*offsets)[dim] != 0 || (*sizes)[dim] != source.getDimSize(dim))
      return slice.emitOpError()
             << "cannot be planned: a view takes whole rows (every "
                "dimension after the first in full)";
    rowElements *= source.getDimSize(dim);
  }
  if (slice.getResultType().getRank() != source.getRank())
    return slice.emitOpError() << "that drops dimensions cannot be planned";
  return planView(slice, slice.getSource(), (*offsets)[0] * rowElements);
}

LogicalResult EntryPlanner::planOp(Operation *op) {
  // Shape arithmetic: consumed by the shape expressions.
  if (isa<arith::ConstantOp, tensor::DimOp>(op) ||
      (isa<arith::ArithDialect>(op->getDialect()) &&
       llvm::all_of(op->getResultTypes(),
                    [](Type t) { return t.isIntOrIndex(); })))
    return success();
  // The init of a load-time map; any other use has no buffer and fails
  // below, where it is used.
  if (isa<tensor::EmptyOp>(op))
    return success();

  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
    return planSlice(slice);
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
    return planView(op, op->getOperand(0), 0);

  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    Value input = map.getInputs().size() == 1 ? map.getInputs()[0] : Value();
    auto arg = dyn_cast_or_null<BlockArgument>(input);
    StringAttr weight = arg ? func.getArgAttrOfType<StringAttr>(
                                  arg.getArgNumber(), "mamba.weight")
                            : StringAttr();
    if (!isNegExp(map) || !weight)
      return map.emitOpError()
             << "cannot be planned: the only elementwise map the runtime "
                "applies is -exp(x) of a weight (A = -exp(A_log)), at load "
                "time";
    int64_t index = planner.derivedIndex(
        "neg_exp", planner.weightIndex(arg, weight),
        cast<RankedTensorType>(map->getResult(0).getType()));
    return defineBuffer(map->getResult(0),
                        json::Object{{"source", "derived"}, {"index", index}});
  }

  if (auto linear = dyn_cast<LinearOp>(op)) {
    FailureOr<int64_t> x = bufferFor(op, linear.getX());
    FailureOr<int64_t> w = bufferFor(op, linear.getWeight());
    if (failed(x) || failed(w) ||
        failed(defineBuffer(linear.getY(), json::Object{{"source", "temp"}})))
      return failure();
    json::Object step{{"kind", "gemm"},
                      {"x", *x},
                      {"w", *w},
                      {"y", bufferOf[linear.getY()]},
                      {"x_features_major", linear.getXFeaturesMajor()},
                      {"y_features_major", linear.getYFeaturesMajor()}};
    if (Value bias = linear.getBias()) {
      FailureOr<int64_t> b = bufferFor(op, bias);
      if (failed(b))
        return failure();
      step["bias"] = *b;
    }
    steps.push_back(std::move(step));
    return success();
  }

  if (isKernelOp(op)) {
    json::Array args, results;
    for (Value operand : op->getOperands()) {
      FailureOr<int64_t> id = bufferFor(op, operand);
      if (failed(id))
        return failure();
      args.push_back(*id);
    }
    for (Value result : op->getResults()) {
      if (failed(defineBuffer(result, json::Object{{"source", "temp"}})))
        return failure();
      results.push_back(bufferOf[result]);
    }
    json::Object step{{"kind", "kernel"},
                      {"function", planner.kernelFor(op)},
                      {"args", std::move(args)},
                      {"results", std::move(results)}};
    if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
      FailureOr<json::Array> variants = scanVariants(scan);
      if (failed(variants))
        return failure();
      if (!variants->empty())
        step["variants"] = std::move(*variants);
    }
    steps.push_back(std::move(step));
    return success();
  }

  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
      FailureOr<int64_t> id = bufferFor(op, value);
      if (failed(id))
        return failure();
      json::Object output{{"buffer", *id}};
      if (auto name =
              func.getResultAttrOfType<StringAttr>(index, "mamba.output"))
        output["name"] = name.getValue();
      if (auto name =
              func.getResultAttrOfType<StringAttr>(index, "mamba.state")) {
        output["name"] = name.getValue();
        output["state"] = true;
      }
      outputs.push_back(std::move(output));
    }
    return success();
  }
  return op->emitOpError() << "cannot be planned: the runtime runs GEMMs "
                              "(mamba.linear), compiled kernels, views and "
                              "load-time weight transforms only";
}

FailureOr<json::Object> EntryPlanner::run() {
  for (BlockArgument arg : func.getArguments())
    if (failed(planArgument(arg)))
      return failure();
  // The reified sizes add tensor.dim ops in front of their op; collect the
  // entry's ops first so they are not visited.
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops)
    if (failed(planOp(op)))
      return failure();
  return json::Object{{"name", func.getSymName()},
                      {"inputs", std::move(inputs)},
                      {"buffers", std::move(buffers)},
                      {"steps", std::move(steps)},
                      {"outputs", std::move(outputs)}};
}

FailureOr<ModelPlan> Planner::run() {
  json::Array entries;
  for (auto func : model.getOps<func::FuncOp>()) {
    bool isEntry = false;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      isEntry |= bool(func.getArgAttr(i, "mamba.input"));
    if (!isEntry)
      continue;
    if (!func.getBody().hasOneBlock())
      return func.emitOpError() << "with control flow cannot be planned";
    EntryPlanner entry(*this, func);
    FailureOr<json::Object> planned = entry.run();
    if (failed(planned))
      return failure();
    entries.push_back(std::move(*planned));
  }
  if (entries.empty())
    return model.emitError()
           << "has no entry function (arguments marked mamba.input) to plan";
  ModelPlan plan;
  plan.model = json::Object{{"shards", 1},
                            {"weights", std::move(weights)},
                            {"derived", std::move(derived)},
                            {"entries", std::move(entries)}};
  if (auto config = model->getAttrOfType<DictionaryAttr>("mamba.model")) {
    json::Object fields;
    for (NamedAttribute entry : config) {
      if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
        fields[entry.getName().getValue()] =
            i.getType().isInteger(1) ? json::Value(i.getValue().getBoolValue())
                                     : json::Value(i.getInt());
      else if (auto b = dyn_cast<BoolAttr>(entry.getValue()))
        fields[entry.getName().getValue()] = b.getValue();
      else if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
        fields[entry.getName().getValue()] = f.getValueAsDouble();
      else if (auto t = dyn_cast<TypeAttr>(entry.getValue()))
        fields[entry.getName().getValue()] = moduleElementName(t.getValue());
    }
    plan.model["config"] = std::move(fields);
  }
  plan.kernels = std::move(kernels);
  return plan;
}

} // namespace

FailureOr<ModelPlan> mlir::mamba::planModel(ModuleOp model) {
  return Planner(model).run();
}
