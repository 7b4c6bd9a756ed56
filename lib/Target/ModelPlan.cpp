//===- ModelPlan.cpp - A compiled model's execution plan ------------------===//
//
// Every tensor value of an entry gets a buffer; every op either computes
// one (a GEMM, or a kernel step: a call of a function that
// mamba-outline-kernels made), names part of one (a view: a weight's row
// block, a reshape), derives a weight once at load time (A = -exp(A_log)),
// or is shape arithmetic that only feeds the buffers' shape expressions.
// Anything else is an error naming the op, so that nothing of a model is
// silently dropped on its way to the runtime.
//
//===----------------------------------------------------------------------===//

#include "mamba/Target/ModelPlan.h"

#include "SpecBuilders.h"

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

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
using format::ShapeExpr;

namespace {

/// The function a kernel step calls (marked by mamba-outline-kernels), or
/// null for a call of anything else.
func::FuncOp kernelCallee(func::CallOp call) {
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      call, call.getCalleeAttr());
  return callee && callee->hasAttr("mamba.kernel") ? callee : func::FuncOp();
}

/// The one op a kernel function computes.
Operation *kernelOpOf(func::FuncOp kernel) {
  return &kernel.getBody().front().front();
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

/// What the model-wide tables hold: weights, derived weights.
class Planner {
public:
  explicit Planner(ModuleOp model) : model(model) {}

  FailureOr<ModelPlan> run();

  FailureOr<uint32_t> weightIndex(BlockArgument arg, StringRef name) {
    auto it = weightByName.find(name);
    if (it != weightByName.end())
      return it->second;
    auto type = cast<RankedTensorType>(arg.getType());
    FailureOr<format::ElementType> element =
        formatElementType(type.getElementType(), arg.getLoc());
    if (failed(element))
      return failure();
    format::WeightSpec weight;
    weight.name = name.str();
    weight.element = *element;
    weight.shape.assign(type.getShape().begin(), type.getShape().end());
    uint32_t index = weights.size();
    weights.push_back(std::move(weight));
    weightByName[name] = index;
    return index;
  }

  /// The weight `weight` negated after exp, once per weight.
  FailureOr<uint32_t> negExpIndex(uint32_t weight, RankedTensorType type,
                                  Location loc) {
    auto it = negExpOf.find(weight);
    if (it != negExpOf.end())
      return it->second;
    FailureOr<format::ElementType> element =
        formatElementType(type.getElementType(), loc);
    if (failed(element))
      return failure();
    format::DerivedSpec spec;
    spec.transform = format::DerivedSpec::Transform::NegExp;
    spec.weight = weight;
    spec.element = *element;
    spec.shape.assign(type.getShape().begin(), type.getShape().end());
    uint32_t index = derived.size();
    derived.push_back(std::move(spec));
    negExpOf[weight] = index;
    return index;
  }

  /// The kernel functions, as the module to compile: public, and without
  /// the outliner's mark.
  OwningOpRef<ModuleOp> kernelModule() {
    OwningOpRef<ModuleOp> kernels = ModuleOp::create(model.getLoc());
    OpBuilder builder = OpBuilder::atBlockEnd(kernels->getBody());
    for (auto func : model.getOps<func::FuncOp>()) {
      if (!func->hasAttr("mamba.kernel"))
        continue;
      auto copy = cast<func::FuncOp>(builder.clone(*func));
      copy->removeAttr("mamba.kernel");
      copy.setPublic();
    }
    return kernels;
  }

private:
  ModuleOp model;
  std::vector<format::WeightSpec> weights;
  std::vector<format::DerivedSpec> derived;
  llvm::StringMap<uint32_t> weightByName;
  std::map<uint32_t, uint32_t> negExpOf;
};

/// One entry function's buffers and steps.
class EntryPlanner {
public:
  EntryPlanner(Planner &planner, func::FuncOp func)
      : planner(planner), func(func), builder(func.getContext()) {}

  FailureOr<format::EntrySpec> run();

private:
  FailureOr<uint32_t> bufferFor(Operation *user, Value value) {
    auto it = bufferOf.find(value);
    if (it != bufferOf.end())
      return it->second;
    return user->emitOpError()
           << "uses a tensor the planner gave no buffer (operand of type "
           << value.getType() << ")";
  }

  /// An index value as a shape expression over the inputs' dimensions.
  FailureOr<ShapeExpr> indexExpr(Value value);
  /// Dimension `dim` of a tensor value as a shape expression.
  FailureOr<ShapeExpr> dimExpr(Value value, int64_t dim);

  /// A new buffer for `value`: `buffer`'s source fields, the value's element
  /// type and shape.
  FailureOr<uint32_t> defineBuffer(Value value, format::BufferSpec buffer) {
    auto type = cast<RankedTensorType>(value.getType());
    FailureOr<format::ElementType> element =
        formatElementType(type.getElementType(), value.getLoc());
    if (failed(element))
      return failure();
    buffer.element = *element;
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      FailureOr<ShapeExpr> size = dimExpr(value, dim);
      if (failed(size))
        return failure();
      buffer.shape.push_back(std::move(*size));
    }
    uint32_t id = entry.buffers.size();
    entry.buffers.push_back(std::move(buffer));
    bufferOf[value] = id;
    return id;
  }

  static format::BufferSpec source(format::BufferSpec::Source source,
                                   uint32_t index = 0) {
    format::BufferSpec buffer;
    buffer.source = source;
    buffer.index = index;
    return buffer;
  }

  FailureOr<std::vector<format::KernelVariant>>
  scanVariants(func::CallOp call, SelectiveScanOp scan);
  LogicalResult planKernelCall(func::CallOp call, func::FuncOp kernel);
  LogicalResult planArgument(BlockArgument arg);
  LogicalResult planOp(Operation *op);
  LogicalResult planView(Operation *op, Value source, int64_t offset);
  LogicalResult planSlice(tensor::ExtractSliceOp slice);

  Planner &planner;
  func::FuncOp func;
  OpBuilder builder;
  format::EntrySpec entry;
  DenseMap<Value, uint32_t> bufferOf;
  DenseMap<Value, uint32_t> inputIndexOf;
};

FailureOr<ShapeExpr> EntryPlanner::indexExpr(Value value) {
  auto leaf = [&](Value v) -> std::optional<FailureOr<ShapeExpr>> {
    auto dim = v.getDefiningOp<tensor::DimOp>();
    if (!dim)
      return std::nullopt;
    std::optional<int64_t> index = dim.getConstantIndex();
    if (!index)
      return FailureOr<ShapeExpr>(dim.emitOpError()
                                  << "with a dynamic index cannot be planned");
    return dimExpr(dim.getSource(), *index);
  };
  return buildShapeExpr(value, leaf, "tensor sizes");
}

/// A scan whose batch gives too few blocks to fill the GPU (one sequence
/// of a 130m model is 24 blocks of 64 channels, on 132 SMs) runs far faster
/// with its sequence split over blocks; with enough blocks the split's
/// second pass only costs. So a scan without its own tiling has a split
/// variant (made by mamba-outline-kernels, named by the call's
/// mamba.split_variant), which the runtime picks when the default tiling's
/// block count (`when_blocks_below_sms`, over the entry's inputs) is below
/// the device's multiprocessor count. Both tilings are TilingDefaults.h's.
FailureOr<std::vector<format::KernelVariant>>
EntryPlanner::scanVariants(func::CallOp call, SelectiveScanOp scan) {
  std::vector<format::KernelVariant> variants;
  auto split = call->getAttrOfType<FlatSymbolRefAttr>("mamba.split_variant");
  if (!split)
    return variants;
  auto u = cast<RankedTensorType>(scan.getU().getType());
  if (scan.getTilingAttr() || u.isDynamicDim(1))
    return call.emitOpError()
           << "names a split variant, but its scan has its own tiling or a "
              "dynamic channel count";
  auto variant =
      SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(call, split);
  if (!variant || !variant->hasAttr("mamba.kernel") ||
      variant.getFunctionType() != call.getCalleeType())
    return call.emitOpError() << "names a split variant " << split
                              << " that is not a kernel function of the "
                                 "same type";
  FailureOr<ShapeExpr> batch = dimExpr(call.getOperand(0), 0);
  if (failed(batch))
    return failure();
  FailureOr<ShapeExpr> channels =
      combineShapeExprs(ShapeExpr::Kind::Mul, *batch,
                        ShapeExpr::constant(u.getDimSize(1)), scan.getLoc());
  if (failed(channels))
    return failure();
  FailureOr<ShapeExpr> blocks = combineShapeExprs(
      ShapeExpr::Kind::CeilDiv, *channels,
      ShapeExpr::constant(tiling::kScanChannelsPerBlock), scan.getLoc());
  if (failed(blocks))
    return failure();
  variants.push_back(
      format::KernelVariant{split.getValue().str(), std::move(*blocks)});
  return variants;
}

FailureOr<ShapeExpr> EntryPlanner::dimExpr(Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.isDynamicDim(dim))
    return ShapeExpr::constant(type.getDimSize(dim));
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto it = inputIndexOf.find(arg);
    if (it == inputIndexOf.end())
      return func.emitOpError() << "argument " << arg.getArgNumber()
                                << " has a dynamic size but is not an input";
    return ShapeExpr::dim(it->second, static_cast<uint32_t>(dim));
  }
  Operation *def = value.getDefiningOp();
  // A collapsed dimension is the product of the source's dimensions it
  // merges (its reification is an affine.apply, which sizes do not use).
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    std::optional<ShapeExpr> product;
    for (int64_t sourceDim : collapse.getReassociationIndices()[dim]) {
      FailureOr<ShapeExpr> size = dimExpr(collapse.getSrc(), sourceDim);
      if (failed(size))
        return failure();
      if (!product) {
        product = std::move(*size);
        continue;
      }
      FailureOr<ShapeExpr> next = combineShapeExprs(
          ShapeExpr::Kind::Mul, *product, *size, collapse.getLoc());
      if (failed(next))
        return failure();
      product = std::move(*next);
    }
    return std::move(*product);
  }
  // A kernel call's sizes are those of the op it calls, asked of a copy
  // of that op on the call's operands (reification only reads operands).
  Operation *asked = def, *copy = nullptr;
  builder.setInsertionPoint(def);
  if (auto call = dyn_cast<func::CallOp>(def))
    if (func::FuncOp kernel = kernelCallee(call)) {
      IRMapping mapping;
      mapping.map(kernel.getArguments(), call.getOperands());
      asked = copy = builder.clone(*kernelOpOf(kernel), mapping);
    }
  auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(asked);
  if (!reify) {
    if (copy)
      copy->erase();
    return def->emitOpError()
           << "has a result of dynamic size the planner cannot express";
  }
  ReifiedRankedShapedTypeDims shapes;
  LogicalResult reified = reify.reifyResultShapes(builder, shapes);
  if (copy)
    copy->erase();
  if (failed(reified))
    return def->emitOpError() << "cannot say the size of its result";
  OpFoldResult size = shapes[cast<OpResult>(value).getResultNumber()][dim];
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return ShapeExpr::constant(*c);
  return indexExpr(cast<Value>(size));
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
    FailureOr<uint32_t> index = planner.weightIndex(arg, weight);
    if (failed(index) ||
        failed(defineBuffer(
            arg, source(format::BufferSpec::Source::Weight, *index))))
      return failure();
    return success();
  }
  StringAttr name = func.getArgAttrOfType<StringAttr>(index, "mamba.input");
  if (!name)
    name = func.getArgAttrOfType<StringAttr>(index, "mamba.state");
  if (!name)
    return func.emitOpError()
           << "argument " << index
           << " is neither a weight, an input nor a state (mamba.weight, "
              "mamba.input or mamba.state)";
  FailureOr<format::ElementType> element =
      formatElementType(type.getElementType(), arg.getLoc());
  if (failed(element))
    return failure();
  uint32_t input = entry.inputs.size();
  format::EntryInputSpec spec;
  spec.name = name.getValue().str();
  spec.element = *element;
  for (int64_t size : type.getShape())
    spec.shape.push_back(ShapedType::isDynamic(size) ? int64_t(-1) : size);
  spec.state = bool(func.getArgAttr(index, "mamba.state"));
  entry.inputs.push_back(std::move(spec));
  inputIndexOf[arg] = input;
  if (failed(
          defineBuffer(arg, source(format::BufferSpec::Source::Input, input))))
    return failure();
  return success();
}

LogicalResult EntryPlanner::planView(Operation *op, Value source,
                                     int64_t offset) {
  FailureOr<uint32_t> of = bufferFor(op, source);
  if (failed(of))
    return failure();
  format::BufferSpec view;
  view.source = format::BufferSpec::Source::View;
  view.of = *of;
  view.offset = offset;
  if (failed(defineBuffer(op->getResult(0), std::move(view))))
    return failure();
  return success();
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
    FailureOr<uint32_t> stored = planner.weightIndex(arg, weight);
    if (failed(stored))
      return failure();
    FailureOr<uint32_t> index = planner.negExpIndex(
        *stored, cast<RankedTensorType>(map->getResult(0).getType()),
        map.getLoc());
    if (failed(index) ||
        failed(
            defineBuffer(map->getResult(0),
                         source(format::BufferSpec::Source::Derived, *index))))
      return failure();
    return success();
  }

  if (auto linear = dyn_cast<LinearOp>(op)) {
    FailureOr<uint32_t> x = bufferFor(op, linear.getX());
    FailureOr<uint32_t> w = bufferFor(op, linear.getWeight());
    if (failed(x) || failed(w))
      return failure();
    FailureOr<uint32_t> y =
        defineBuffer(linear.getY(), source(format::BufferSpec::Source::Temp));
    if (failed(y))
      return failure();
    format::StepSpec step;
    step.kind = format::StepSpec::Kind::Gemm;
    step.x = *x;
    step.w = *w;
    step.y = *y;
    step.xFeaturesMajor = linear.getXFeaturesMajor();
    step.yFeaturesMajor = linear.getYFeaturesMajor();
    if (Value bias = linear.getBias()) {
      FailureOr<uint32_t> b = bufferFor(op, bias);
      if (failed(b))
        return failure();
      step.hasBias = true;
      step.bias = *b;
    }
    entry.steps.push_back(std::move(step));
    return success();
  }

  if (auto call = dyn_cast<func::CallOp>(op))
    if (func::FuncOp kernel = kernelCallee(call))
      return planKernelCall(call, kernel);
  if (isa<MambaDialect>(op->getDialect()))
    return op->emitOpError()
           << "cannot be planned in an entry: kernel ops are called as "
              "kernel functions (run mamba-outline-kernels first)";

  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
      FailureOr<uint32_t> id = bufferFor(op, value);
      if (failed(id))
        return failure();
      format::EntryOutputSpec output;
      output.buffer = *id;
      if (auto name =
              func.getResultAttrOfType<StringAttr>(index, "mamba.output"))
        output.name = name.getValue().str();
      if (auto name =
              func.getResultAttrOfType<StringAttr>(index, "mamba.state")) {
        output.name = name.getValue().str();
        output.state = true;
      }
      if (output.name.empty())
        return func.emitOpError()
               << "result " << index
               << " has no name (mamba.output or mamba.state): the runtime "
                  "returns outputs by name";
      entry.outputs.push_back(std::move(output));
    }
    return success();
  }
  return op->emitOpError() << "cannot be planned: the runtime runs GEMMs "
                              "(mamba.linear), compiled kernels, views and "
                              "load-time weight transforms only";
}

LogicalResult EntryPlanner::planKernelCall(func::CallOp call,
                                           func::FuncOp kernel) {
  format::StepSpec step;
  step.kind = format::StepSpec::Kind::Kernel;
  step.function = kernel.getSymName().str();
  for (Value operand : call.getOperands()) {
    FailureOr<uint32_t> id = bufferFor(call, operand);
    if (failed(id))
      return failure();
    step.args.push_back(*id);
  }
  for (Value result : call.getResults()) {
    FailureOr<uint32_t> id =
        defineBuffer(result, source(format::BufferSpec::Source::Temp));
    if (failed(id))
      return failure();
    step.results.push_back(*id);
  }
  if (auto scan = dyn_cast<SelectiveScanOp>(kernelOpOf(kernel))) {
    FailureOr<std::vector<format::KernelVariant>> variants =
        scanVariants(call, scan);
    if (failed(variants))
      return failure();
    step.variants = std::move(*variants);
  } else if (call->hasAttr("mamba.split_variant")) {
    return call.emitOpError() << "names a split variant, but only scans "
                                 "have one";
  }
  entry.steps.push_back(std::move(step));
  return success();
}

FailureOr<format::EntrySpec> EntryPlanner::run() {
  entry.name = func.getSymName().str();
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
  return std::move(entry);
}

FailureOr<ModelPlan> Planner::run() {
  std::vector<format::EntrySpec> entries;
  for (auto func : model.getOps<func::FuncOp>()) {
    bool isEntry = false;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      isEntry |= bool(func.getArgAttr(i, "mamba.input"));
    if (!isEntry)
      continue;
    if (!func.getBody().hasOneBlock())
      return func.emitOpError() << "with control flow cannot be planned";
    EntryPlanner entry(*this, func);
    FailureOr<format::EntrySpec> planned = entry.run();
    if (failed(planned))
      return failure();
    entries.push_back(std::move(*planned));
  }
  if (entries.empty())
    return model.emitError()
           << "has no entry function (arguments marked mamba.input) to plan";
  ModelPlan plan;
  plan.model.shards = 1;
  plan.model.weights = std::move(weights);
  plan.model.derived = std::move(derived);
  plan.model.entries = std::move(entries);
  if (auto config = model->getAttrOfType<DictionaryAttr>("mamba.model")) {
    for (NamedAttribute entry : config) {
      std::string name = entry.getName().getValue().str();
      if (auto i = dyn_cast<IntegerAttr>(entry.getValue())) {
        plan.model.config[name] =
            i.getType().isInteger(1)
                ? format::ConfigValue::ofBool(i.getValue().getBoolValue())
                : format::ConfigValue::ofInt(i.getInt());
      } else if (auto b = dyn_cast<BoolAttr>(entry.getValue())) {
        plan.model.config[name] = format::ConfigValue::ofBool(b.getValue());
      } else if (auto f = dyn_cast<FloatAttr>(entry.getValue())) {
        plan.model.config[name] =
            format::ConfigValue::ofFloat(f.getValueAsDouble());
      } else if (auto t = dyn_cast<TypeAttr>(entry.getValue())) {
        FailureOr<format::ElementType> element =
            formatElementType(t.getValue(), model.getLoc());
        if (failed(element))
          return failure();
        plan.model.config[name] =
            format::ConfigValue::ofString(format::elementTypeName(*element));
      }
    }
  }
  plan.kernels = kernelModule();
  return plan;
}

} // namespace

FailureOr<ModelPlan> mlir::mamba::planModel(ModuleOp model) {
  return Planner(model).run();
}
