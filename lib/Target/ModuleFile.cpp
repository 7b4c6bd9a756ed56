//===- ModuleFile.cpp - write compiled modules (.mmod) --------------------===//
//
// The host side of a compiled function is replayed by the runtime, not run
// as code: the shape arithmetic becomes expressions over the argument
// shapes, allocations become result buffers, launches keep their order and
// parameters. Anything else on the host is rejected here, with the op named,
// rather than silently dropped.
//
//===----------------------------------------------------------------------===//

#include "mamba/Target/ModuleFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace json = llvm::json;

namespace {

constexpr int64_t kFormatVersion = 1;

} // namespace

std::string mlir::mamba::moduleElementName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isInteger(32))
    return "i32";
  if (type.isInteger(64))
    return "i64";
  std::string name;
  llvm::raw_string_ostream os(name);
  os << type;
  return name;
}

namespace {

std::string elementName(Type type) { return mamba::moduleElementName(type); }

/// Turns host shape arithmetic into a module-file expression.
class ExprBuilder {
public:
  explicit ExprBuilder(func::FuncOp func) : func(func) {}

  FailureOr<json::Value> build(Value value) {
    if (std::optional<int64_t> c = getConstantIntValue(value))
      return json::Value(*c);
    Operation *def = value.getDefiningOp();
    if (auto dim = dyn_cast_or_null<memref::DimOp>(def)) {
      auto arg = dyn_cast<BlockArgument>(dim.getSource());
      std::optional<int64_t> index = dim.getConstantIndex();
      if (!arg || arg.getOwner() != &func.getBody().front() || !index)
        return dim.emitOpError()
               << "in an exported host function must query a function "
                  "argument's dimension with a constant index";
      return json::Value(json::Object{
          {"dim", json::Array{int64_t(arg.getArgNumber()), *index}}});
    }
    if (auto cast = dyn_cast_or_null<arith::IndexCastOp>(def))
      return build(cast.getIn());
    StringRef op = TypeSwitch<Operation *, StringRef>(def)
                       .Case<arith::AddIOp>([](auto) { return "add"; })
                       .Case<arith::SubIOp>([](auto) { return "sub"; })
                       .Case<arith::MulIOp>([](auto) { return "mul"; })
                       .Case<arith::DivUIOp>([](auto) { return "div"; })
                       .Case<arith::CeilDivUIOp>([](auto) { return "ceildiv"; })
                       .Case<arith::RemUIOp>([](auto) { return "rem"; })
                       .Case<arith::MinUIOp, arith::MinSIOp>(
                           [](auto) { return "min"; })
                       .Case<arith::MaxUIOp, arith::MaxSIOp>(
                           [](auto) { return "max"; })
                       .Default([](Operation *) { return StringRef(); });
    if (op.empty()) {
      if (!def)
        return emitError(value.getLoc())
               << "exported host function: a launch size comes from a block "
                  "argument that is not a tensor dimension";
      return def->emitOpError()
             << "cannot be replayed by the runtime: launch sizes may only "
                "use constants, dims of arguments and integer add, sub, mul, "
                "div, ceildiv, rem, min, max";
    }
    FailureOr<json::Value> lhs = build(def->getOperand(0));
    if (failed(lhs))
      return failure();
    FailureOr<json::Value> rhs = build(def->getOperand(1));
    if (failed(rhs))
      return failure();
    return json::Value(json::Object{
        {"op", op}, {"args", json::Array{std::move(*lhs), std::move(*rhs)}}});
  }

private:
  func::FuncOp func;
};

FailureOr<json::Array> shapeOf(ExprBuilder &exprs, memref::AllocOp alloc) {
  json::Array shape;
  MemRefType type = alloc.getType();
  unsigned dynamicIndex = 0;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (!type.isDynamicDim(dim)) {
      shape.push_back(type.getDimSize(dim));
      continue;
    }
    FailureOr<json::Value> size =
        exprs.build(alloc.getDynamicSizes()[dynamicIndex++]);
    if (failed(size))
      return failure();
    shape.push_back(std::move(*size));
  }
  return shape;
}

FailureOr<json::Object> exportFunction(func::FuncOp func) {
  ExprBuilder exprs(func);
  json::Array args, results, launches;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.getLayout().isIdentity())
      return func.emitOpError()
             << "exports only functions of identity-layout buffers; argument "
             << arg.getArgNumber() << " is " << arg.getType();
    json::Array shape;
    for (int64_t size : type.getShape())
      shape.push_back(ShapedType::isDynamic(size) ? int64_t(-1) : size);
    args.push_back(json::Object{{"element", elementName(type.getElementType())},
                                {"shape", std::move(shape)}});
  }

  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  DenseMap<Value, int64_t> resultIndex;
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto alloc = value.getDefiningOp<memref::AllocOp>();
    if (!alloc || resultIndex.count(value))
      return ret.emitOpError()
             << "exported results must be distinct buffers allocated in the "
                "function; result "
             << index << " is not";
    FailureOr<json::Array> shape = shapeOf(exprs, alloc);
    if (failed(shape))
      return failure();
    resultIndex[value] = index;
    results.push_back(
        json::Object{{"element", elementName(alloc.getType().getElementType())},
                     {"shape", std::move(*shape)}});
  }

  // Buffers allocated here but not returned are scratch: the runtime
  // allocates them for the call (and frees them after).
  DenseMap<Value, int64_t> scratchIndex;
  json::Array scratch;
  for (auto alloc : func.getBody().front().getOps<memref::AllocOp>()) {
    if (resultIndex.count(alloc.getResult()))
      continue;
    FailureOr<json::Array> shape = shapeOf(exprs, alloc);
    if (failed(shape))
      return failure();
    scratchIndex[alloc.getResult()] = scratch.size();
    scratch.push_back(
        json::Object{{"element", elementName(alloc.getType().getElementType())},
                     {"shape", std::move(*shape)}});
  }

  for (Operation &op : func.getBody().front()) {
    if (isa<arith::ArithDialect>(op.getDialect()) ||
        isa<memref::DimOp, memref::AllocOp, memref::DeallocOp,
            func::ReturnOp>(op))
      continue;
    auto launch = dyn_cast<gpu::LaunchFuncOp>(op);
    if (!launch)
      return op.emitOpError()
             << "has no kernel: the runtime can only replay shape "
                "arithmetic, result allocations and kernel launches";
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.hasClusterSize())
      return launch.emitOpError()
             << "is exported only without async tokens or clusters";
    json::Array grid, block, params;
    gpu::KernelDim3 gridSize = launch.getGridSizeOperandValues();
    gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
    for (auto [sizes, out] : {std::pair{gridSize, &grid},
                              std::pair{blockSize, &block}})
      for (Value v : {sizes.x, sizes.y, sizes.z}) {
        FailureOr<json::Value> e = exprs.build(v);
        if (failed(e))
          return failure();
        out->push_back(std::move(*e));
      }
    if (launch.getDynamicSharedMemorySize())
      return launch.emitOpError()
             << "with dynamic shared memory is not exported yet";
    for (Value operand : launch.getKernelOperands()) {
      auto type = dyn_cast<MemRefType>(operand.getType());
      if (!type)
        return launch.emitOpError()
               << "passes a " << operand.getType()
               << " to the kernel; only buffers can be bound by the runtime";
      json::Object param{{"kind", "memref"}, {"rank", type.getRank()}};
      if (auto arg = dyn_cast<BlockArgument>(operand)) {
        param["source"] = "arg";
        param["index"] = int64_t(arg.getArgNumber());
      } else if (resultIndex.count(operand)) {
        param["source"] = "result";
        param["index"] = resultIndex.lookup(operand);
      } else if (scratchIndex.count(operand)) {
        param["source"] = "scratch";
        param["index"] = scratchIndex.lookup(operand);
      } else {
        return launch.emitOpError()
               << "passes a buffer that is neither an argument, a result nor "
                  "a buffer allocated in the function";
      }
      params.push_back(std::move(param));
    }
    launches.push_back(json::Object{
        {"module", launch.getKernelModuleName().getValue()},
        {"kernel", launch.getKernelName().getValue()},
        {"grid", std::move(grid)},
        {"block", std::move(block)},
        {"shared_bytes", 0},
        {"params", std::move(params)}});
  }
  json::Object exported{{"name", func.getSymName()},
                        {"args", std::move(args)},
                        {"results", std::move(results)},
                        {"launches", std::move(launches)}};
  if (!scratch.empty())
    exported["scratch"] = std::move(scratch);
  return exported;
}

/// Appends the objects of every gpu.binary in `module` to the image table.
LogicalResult collectImages(ModuleOp module, json::Array &images,
                            std::string &data) {
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjectsAttr()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
      if (!target)
        return binary.emitOpError() << "has a non-NVVM object";
      StringRef kind;
      switch (object.getFormat()) {
      case gpu::CompilationTarget::Assembly:
        kind = "ptx";
        break;
      case gpu::CompilationTarget::Binary:
        kind = "cubin";
        break;
      case gpu::CompilationTarget::Fatbin:
        kind = "fatbin";
        break;
      default:
        return binary.emitOpError() << "has an object of a format the "
                                       "runtime does not load";
      }
      StringRef bytes = object.getObject().getValue();
      images.push_back(json::Object{{"module", binary.getSymName()},
                                    {"chip", target.getChip()},
                                    {"kind", kind},
                                    {"offset", int64_t(data.size())},
                                    {"size", int64_t(bytes.size())}});
      data += bytes;
    }
  }
  return success();
}

} // namespace

LogicalResult mlir::mamba::writeModuleFile(ModuleOp hostAndKernels,
                                           ArrayRef<ModuleOp> extraImages,
                                           llvm::raw_ostream &os,
                                           const json::Object *model) {
  json::Array functions, images;
  for (auto func : hostAndKernels.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<json::Object> exported = exportFunction(func);
    if (failed(exported))
      return failure();
    functions.push_back(std::move(*exported));
  }
  std::string data;
  if (failed(collectImages(hostAndKernels, images, data)))
    return failure();
  for (ModuleOp extra : extraImages)
    if (failed(collectImages(extra, images, data)))
      return failure();

  json::Object header{{"format", "mamba-module"},
                      {"version", kFormatVersion},
                      {"images", std::move(images)},
                      {"functions", std::move(functions)}};
  if (model)
    header["model"] = json::Object(*model);
  std::string headerText;
  llvm::raw_string_ostream headerStream(headerText);
  headerStream << json::Value(std::move(header));

  os << "MAMBAMOD";
  char length[8];
  llvm::support::endian::write64le(length, headerText.size());
  os.write(length, sizeof(length));
  os << headerText << data;
  return success();
}
