//===- ModuleFile.cpp - write compiled modules (.mmod) --------------------===//
//
// The host side of a compiled function is replayed by the runtime, not run
// as code: the shape arithmetic becomes expressions over the argument
// shapes, allocations become result buffers, launches keep their order and
// parameters. Anything else on the host is rejected here, with the op named,
// rather than silently dropped. The file itself is the format library's to
// write (mamba/Format/ModuleWriter.h).
//
//===----------------------------------------------------------------------===//

#include "mamba/Target/ModuleFile.h"

#include "SpecBuilders.h"

#include "mamba/Format/ModuleWriter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Dimensions of the function's arguments, the only leaves of host shape
/// arithmetic.
FailureOr<format::ShapeExpr> hostExpr(func::FuncOp func, Value value) {
  auto leaf = [&](Value v) -> std::optional<FailureOr<format::ShapeExpr>> {
    auto dim = v.getDefiningOp<memref::DimOp>();
    if (!dim)
      return std::nullopt;
    auto arg = dyn_cast<BlockArgument>(dim.getSource());
    std::optional<int64_t> index = dim.getConstantIndex();
    if (!arg || arg.getOwner() != &func.getBody().front() || !index)
      return FailureOr<format::ShapeExpr>(
          dim.emitOpError()
          << "in an exported host function must query a function "
             "argument's dimension with a constant index");
    return FailureOr<format::ShapeExpr>(format::ShapeExpr::dim(
        arg.getArgNumber(), static_cast<uint32_t>(*index)));
  };
  return buildShapeExpr(value, leaf, "launch sizes");
}

FailureOr<format::ResultSpec> bufferOf(func::FuncOp func,
                                       memref::AllocOp alloc) {
  format::ResultSpec spec;
  MemRefType type = alloc.getType();
  FailureOr<format::ElementType> element =
      formatElementType(type.getElementType(), alloc.getLoc());
  if (failed(element))
    return failure();
  spec.element = *element;
  unsigned dynamicIndex = 0;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (!type.isDynamicDim(dim)) {
      spec.shape.push_back(format::ShapeExpr::constant(type.getDimSize(dim)));
      continue;
    }
    FailureOr<format::ShapeExpr> size =
        hostExpr(func, alloc.getDynamicSizes()[dynamicIndex++]);
    if (failed(size))
      return failure();
    spec.shape.push_back(std::move(*size));
  }
  return spec;
}

FailureOr<format::FunctionSpec> exportFunction(func::FuncOp func) {
  format::FunctionSpec fn;
  fn.name = func.getSymName().str();
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.getLayout().isIdentity())
      return func.emitOpError()
             << "exports only functions of identity-layout buffers; argument "
             << arg.getArgNumber() << " is " << arg.getType();
    FailureOr<format::ElementType> element =
        formatElementType(type.getElementType(), func.getLoc());
    if (failed(element))
      return failure();
    format::ArgSpec spec;
    spec.element = *element;
    for (int64_t size : type.getShape())
      spec.shape.push_back(ShapedType::isDynamic(size) ? int64_t(-1) : size);
    fn.args.push_back(std::move(spec));
  }

  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  DenseMap<Value, uint32_t> resultIndex;
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto alloc = value.getDefiningOp<memref::AllocOp>();
    if (!alloc || resultIndex.count(value))
      return ret.emitOpError()
             << "exported results must be distinct buffers allocated in the "
                "function; result "
             << index << " is not";
    FailureOr<format::ResultSpec> result = bufferOf(func, alloc);
    if (failed(result))
      return failure();
    resultIndex[value] = index;
    fn.results.push_back(std::move(*result));
  }

  // Buffers allocated here but not returned are scratch: the runtime
  // allocates them for the call (and frees them after).
  DenseMap<Value, uint32_t> scratchIndex;
  for (auto alloc : func.getBody().front().getOps<memref::AllocOp>()) {
    if (resultIndex.count(alloc.getResult()))
      continue;
    FailureOr<format::ResultSpec> scratch = bufferOf(func, alloc);
    if (failed(scratch))
      return failure();
    scratchIndex[alloc.getResult()] = fn.scratch.size();
    fn.scratch.push_back(std::move(*scratch));
  }

  for (Operation &op : func.getBody().front()) {
    if (isa<arith::ArithDialect>(op.getDialect()) ||
        isa<memref::DimOp, memref::AllocOp, memref::DeallocOp, func::ReturnOp>(
            op))
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
    format::LaunchSpec spec;
    spec.module = launch.getKernelModuleName().getValue().str();
    spec.kernel = launch.getKernelName().getValue().str();
    gpu::KernelDim3 gridSize = launch.getGridSizeOperandValues();
    gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
    for (auto [sizes, out] :
         {std::pair{gridSize, &spec.grid}, std::pair{blockSize, &spec.block}}) {
      Value values[] = {sizes.x, sizes.y, sizes.z};
      for (int i = 0; i < 3; ++i) {
        FailureOr<format::ShapeExpr> e = hostExpr(func, values[i]);
        if (failed(e))
          return failure();
        (*out)[i] = std::move(*e);
      }
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
      format::KernelParamSpec param;
      param.rank = type.getRank();
      if (auto arg = dyn_cast<BlockArgument>(operand)) {
        param.source = format::ParamSource::Arg;
        param.index = arg.getArgNumber();
      } else if (resultIndex.count(operand)) {
        param.source = format::ParamSource::Result;
        param.index = resultIndex.lookup(operand);
      } else if (scratchIndex.count(operand)) {
        param.source = format::ParamSource::Scratch;
        param.index = scratchIndex.lookup(operand);
      } else {
        return launch.emitOpError()
               << "passes a buffer that is neither an argument, a result nor "
                  "a buffer allocated in the function";
      }
      spec.params.push_back(param);
    }
    fn.launches.push_back(std::move(spec));
  }
  return fn;
}

/// Adds the objects of every gpu.binary in `module` to the writer's images.
LogicalResult collectImages(ModuleOp module, format::ModuleWriter &writer) {
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjectsAttr()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
      if (!target)
        return binary.emitOpError() << "has a non-NVVM object";
      format::ImageKind kind;
      switch (object.getFormat()) {
      case gpu::CompilationTarget::Assembly:
        kind = format::ImageKind::Ptx;
        break;
      case gpu::CompilationTarget::Binary:
        kind = format::ImageKind::Cubin;
        break;
      default:
        return binary.emitOpError() << "has an object of a format the "
                                       "runtime does not load (it loads "
                                       "cubin and PTX)";
      }
      StringRef bytes = object.getObject().getValue();
      std::string error;
      if (!writer.addImage(binary.getSymName().str(), target.getChip().str(),
                           kind, std::string_view(bytes.data(), bytes.size()),
                           error))
        return binary.emitOpError() << error;
    }
  }
  return success();
}

} // namespace

LogicalResult mlir::mamba::writeModuleFile(ModuleOp hostAndKernels,
                                           ArrayRef<ModuleOp> extraImages,
                                           llvm::raw_ostream &os,
                                           const format::ModelSpec *model,
                                           ArrayRef<HostImage> hostImages) {
  format::ModuleWriter writer;
  for (auto func : hostAndKernels.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<format::FunctionSpec> exported = exportFunction(func);
    if (failed(exported))
      return failure();
    writer.spec().functions.push_back(std::move(*exported));
  }
  if (failed(collectImages(hostAndKernels, writer)))
    return failure();
  for (ModuleOp extra : extraImages)
    if (failed(collectImages(extra, writer)))
      return failure();
  for (const HostImage &image : hostImages) {
    std::string error;
    if (!writer.addImage(
            image.module, image.level, format::ImageKind::SharedObject,
            std::string_view(image.bytes.data(), image.bytes.size()), error))
      return hostAndKernels.emitError() << error;
  }
  if (model)
    writer.spec().model = *model;

  std::vector<uint8_t> bytes;
  std::string error;
  if (!writer.encode(bytes, error))
    return hostAndKernels.emitError()
           << "the module file the runtime would read is invalid: " << error;
  os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return success();
}
