//===- KernelNest.cpp - What the tiling passes share ----------------------===//

#include "KernelNest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::mamba;

Value mlir::mamba::readOnlyBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  if (!tensor)
    return {};
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

Value mlir::mamba::allocBuffer(ImplicitLocOpBuilder &b, Type tensorType,
                               ArrayRef<Value> sizes) {
  auto type = cast<RankedTensorType>(tensorType);
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(sizes))
    if (type.isDynamicDim(dim))
      dynamicSizes.push_back(size);
  return memref::AllocOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType()),
      dynamicSizes);
}

SmallVector<Value> mlir::mamba::bufferSizes(ImplicitLocOpBuilder &b,
                                            Value buffer) {
  SmallVector<Value> sizes;
  int64_t rank = cast<MemRefType>(buffer.getType()).getRank();
  for (int64_t dim = 0; dim < rank; ++dim)
    sizes.push_back(memref::DimOp::create(b, buffer, dim));
  return sizes;
}

void mlir::mamba::replaceWithBuffers(ImplicitLocOpBuilder &b, Operation *op,
                                     ArrayRef<Value> buffers) {
  SmallVector<Value> results;
  for (auto [result, buffer] : llvm::zip(op->getResults(), buffers))
    results.push_back(bufferization::ToTensorOp::create(
        b, result.getType(), buffer, /*restrict=*/true, /*writable=*/true));
  op->replaceAllUsesWith(results);
  op->erase();
}

void mlir::mamba::emitBlockThreadNest(
    ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> grid, int64_t threads,
    function_ref<void(ValueRange blocks, Value thread)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Attribute> mapping;
  for (gpu::MappingId id :
       {gpu::MappingId::DimX, gpu::MappingId::DimY, gpu::MappingId::DimZ})
    if (mapping.size() < grid.size())
      mapping.push_back(gpu::GPUBlockMappingAttr::get(ctx, id));
  auto blockLoop =
      scf::ForallOp::create(b, grid, ValueRange{}, b.getArrayAttr(mapping));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(blockLoop.getBody()->getTerminator());
  auto threadLoop = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{b.getIndexAttr(threads)}, ValueRange{},
      b.getArrayAttr(
          {gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimX)}));
  b.setInsertionPoint(threadLoop.getBody()->getTerminator());
  body(blockLoop.getInductionVars(), threadLoop.getInductionVar(0));
}

Value mlir::mamba::toF32(ImplicitLocOpBuilder &b, Value value) {
  Type f32 = b.getF32Type();
  if (getElementTypeOrSelf(value.getType()) == f32)
    return value;
  Type type = f32;
  if (auto shaped = dyn_cast<ShapedType>(value.getType()))
    type = shaped.clone(f32);
  return arith::ExtFOp::create(b, type, value);
}

Value mlir::mamba::fromF32(ImplicitLocOpBuilder &b, Value value,
                           Type elementType) {
  if (getElementTypeOrSelf(value.getType()) == elementType)
    return value;
  Type type = elementType;
  if (auto shaped = dyn_cast<ShapedType>(value.getType()))
    type = shaped.clone(elementType);
  return arith::TruncFOp::create(b, type, value);
}

Value mlir::mamba::indexConstant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value mlir::mamba::f32Constant(ImplicitLocOpBuilder &b, double value) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
}

Value mlir::mamba::emitSoftplus(ImplicitLocOpBuilder &b, Value x,
                                bool precise) {
  Value soft;
  if (precise) {
    soft = math::Log1pOp::create(b, math::ExpOp::create(b, x));
  } else {
    auto approx = arith::FastMathFlagsAttr::get(b.getContext(),
                                                arith::FastMathFlags::afn);
    Value e = math::Exp2Op::create(
        b, arith::MulFOp::create(b, x, f32Constant(b, llvm::numbers::log2e)),
        approx);
    soft = arith::MulFOp::create(
        b,
        math::Log2Op::create(
            b, arith::AddFOp::create(b, f32Constant(b, 1.0), e), approx),
        f32Constant(b, llvm::numbers::ln2));
  }
  Value large = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x,
                                      f32Constant(b, 20.0));
  return arith::SelectOp::create(b, large, x, soft);
}

Value mlir::mamba::emitSilu(ImplicitLocOpBuilder &b, Value z) {
  // exp(-z) as exp2(-z log2 e): the hardware exp2, two instructions.
  Value expNeg = math::Exp2Op::create(
      b, arith::MulFOp::create(b, z, f32Constant(b, -llvm::numbers::log2e)));
  Value denom = arith::AddFOp::create(b, f32Constant(b, 1.0), expNeg);
  auto approx = arith::FastMathFlagsAttr::get(b.getContext(),
                                              arith::FastMathFlags::afn);
  return arith::DivFOp::create(b, z, denom, approx);
}

Value mlir::mamba::emitLaneSum(ImplicitLocOpBuilder &b, Value value,
                               int64_t width) {
  for (int64_t offset = width / 2; offset >= 1; offset /= 2) {
    Value other = gpu::ShuffleOp::create(b, value, offset, kWarpSize,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    value = arith::AddFOp::create(b, value, other);
  }
  return value;
}

void mlir::mamba::emitIf(ImplicitLocOpBuilder &b, Value condition,
                         function_ref<void()> body) {
  auto ifOp = scf::IfOp::create(b, condition, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body();
}

void mlir::mamba::emitStridedLoop(ImplicitLocOpBuilder &b, Value first,
                                  Value end, Value step,
                                  function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(b, first, end, step);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  body(loop.getInductionVar());
}
