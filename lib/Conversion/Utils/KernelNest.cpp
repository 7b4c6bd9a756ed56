//===- KernelNest.cpp - What the tiling passes share ----------------------===//

#include "mamba/Conversion/Utils/KernelNest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

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
      b, MemRefType::get(type.getShape(), type.getElementType()), dynamicSizes);
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

Value mlir::mamba::roundToStorage(ImplicitLocOpBuilder &b, Value value,
                                  Type elementType) {
  return elementType.isF32() ? value : toF32(b, fromF32(b, value, elementType));
}

Value mlir::mamba::indexConstant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value mlir::mamba::f32Constant(ImplicitLocOpBuilder &b, double value) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
}

/// `value` as an f32 constant of `like`'s type: a scalar, or a splat for the
/// vectors the CPU kernels compute along time.
static Value f32ConstantLike(ImplicitLocOpBuilder &b, Value like,
                             double value) {
  auto vectorType = dyn_cast<VectorType>(like.getType());
  if (!vectorType)
    return f32Constant(b, value);
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(vectorType, b.getF32FloatAttr(value)));
}

Value mlir::mamba::emitSoftplus(ImplicitLocOpBuilder &b, Value x,
                                bool precise) {
  Value soft, large;
  if (precise) {
    soft = math::Log1pOp::create(b, math::ExpOp::create(b, x));
    large = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x,
                                  f32ConstantLike(b, x, 20.0));
  } else {
    auto approx = arith::FastMathFlagsAttr::get(b.getContext(),
                                                arith::FastMathFlags::afn);
    Value scaled = arith::MulFOp::create(
        b, x, f32ConstantLike(b, x, llvm::numbers::log2e));
    Value e = math::Exp2Op::create(b, scaled, approx);
    soft = arith::MulFOp::create(
        b,
        math::Log2Op::create(
            b, arith::AddFOp::create(b, f32ConstantLike(b, x, 1.0), e), approx),
        f32ConstantLike(b, x, llvm::numbers::ln2));
    // x > 20 asked of x log2 e: where x is a widened bf16, LLVM narrows a
    // compare of x itself to a bf16 compare, which NVPTX then emits with
    // .ftz in flush-to-zero kernels, an instruction ptxas rejects.
    large = arith::CmpFOp::create(
        b, arith::CmpFPredicate::OGT, scaled,
        f32ConstantLike(b, x, 20.0 * llvm::numbers::log2e));
  }
  return arith::SelectOp::create(b, large, x, soft);
}

Value mlir::mamba::emitSilu(ImplicitLocOpBuilder &b, Value z) {
  // exp(-z) as exp2(-z log2 e): the hardware exp2, two instructions.
  Value expNeg = math::Exp2Op::create(
      b, arith::MulFOp::create(b, z,
                               f32ConstantLike(b, z, -llvm::numbers::log2e)));
  Value denom = arith::AddFOp::create(b, f32ConstantLike(b, z, 1.0), expNeg);
  auto approx =
      arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::afn);
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

Value mlir::mamba::allocShared(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape,
                               Type element) {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto type =
      MemRefType::get(shape, element, MemRefLayoutAttrInterface(), workgroup);
  return memref::AllocOp::create(b, type, b.getI64IntegerAttr(16));
}

Value mlir::mamba::emitBlockSum(ImplicitLocOpBuilder &b, Value value,
                                Value thread, int64_t threads) {
  const int64_t warps = threads / kWarpSize;
  Value warpTotal = emitLaneSum(b, value, kWarpSize);
  // One partial per warp through shared memory; every thread then adds the
  // few partials itself (a broadcast read), no second reduction.
  Value partials = allocShared(b, {warps}, b.getF32Type());
  Value warp = arith::DivUIOp::create(b, thread, indexConstant(b, kWarpSize));
  Value lane = arith::RemUIOp::create(b, thread, indexConstant(b, kWarpSize));
  Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane,
                                      indexConstant(b, 0));
  emitIf(b, first, [&] {
    memref::StoreOp::create(b, warpTotal, partials, ValueRange{warp});
  });
  gpu::BarrierOp::create(b);
  Value total = f32Constant(b, 0.0);
  for (int64_t w = 0; w < warps; ++w)
    total = arith::AddFOp::create(
        b, total,
        memref::LoadOp::create(b, partials, ValueRange{indexConstant(b, w)}));
  return total;
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

void mlir::mamba::emitFor(ImplicitLocOpBuilder &b, Value count,
                          function_ref<void(Value)> body) {
  emitStridedLoop(b, indexConstant(b, 0), count, indexConstant(b, 1), body);
}

StateSplit mlir::mamba::chooseStateSplit(int64_t N, int64_t threadsPerBlock,
                                         int64_t maxStatesPerThread) {
  int64_t S = std::min<int64_t>(N, maxStatesPerThread);
  if (N % S != 0 || !llvm::isPowerOf2_64(N / S) || N / S > kWarpSize)
    S = N;
  const int64_t lanes = N / S;
  const int64_t channels = std::max<int64_t>(1, threadsPerBlock / lanes);
  return {S, lanes, channels, channels * lanes};
}

std::pair<Value, Value> mlir::mamba::emitStateStep(ImplicitLocOpBuilder &b,
                                                   Value dt, Value u, Value h,
                                                   Value a, Value bv,
                                                   Value cv) {
  auto vectorType = cast<VectorType>(h.getType());
  // exp(dt * A) as exp2(dt * A * log2 e): one MUFU.EX2 per state.
  Value scaled = arith::MulFOp::create(
      b,
      vector::BroadcastOp::create(
          b, vectorType,
          arith::MulFOp::create(b, dt, f32Constant(b, llvm::numbers::log2e))),
      a);
  Value decay = math::Exp2Op::create(b, scaled);
  Value dtU = arith::MulFOp::create(b, dt, u);
  Value next = vector::FMAOp::create(
      b, decay, h,
      arith::MulFOp::create(b, vector::BroadcastOp::create(b, vectorType, dtU),
                            bv));
  Value out = f32Constant(b, 0.0);
  for (int64_t k = 0; k < vectorType.getDimSize(0); ++k)
    out = math::FmaOp::create(b, vector::ExtractOp::create(b, cv, k),
                              vector::ExtractOp::create(b, next, k), out);
  return {next, out};
}

Value mlir::mamba::emitConvWindowStep(ImplicitLocOpBuilder &b, Value state,
                                      Value input, Value weight, Value bias,
                                      Value newState, Value batch,
                                      Value channel, int64_t width) {
  // The window in the state's type (what the next step reads back).
  Type stateElement = cast<MemRefType>(state.getType()).getElementType();
  SmallVector<Value> window;
  for (int64_t k = 1; k < width; ++k)
    window.push_back(memref::LoadOp::create(
        b, state, ValueRange{batch, channel, indexConstant(b, k)}));
  window.push_back(fromF32(b, toF32(b, input), stateElement));
  Value acc =
      bias ? toF32(b, memref::LoadOp::create(b, bias, ValueRange{channel}))
           : f32Constant(b, 0.0);
  for (int64_t k = 0; k < width; ++k) {
    Value w =
        toF32(b, memref::LoadOp::create(
                     b, weight, ValueRange{channel, indexConstant(b, k)}));
    acc = math::FmaOp::create(b, w, toF32(b, window[k]), acc);
  }
  for (int64_t k = 0; k < width; ++k)
    memref::StoreOp::create(b, window[k], newState,
                            ValueRange{batch, channel, indexConstant(b, k)});
  return acc;
}

std::pair<Value, Value> mlir::mamba::clampedChannel(ImplicitLocOpBuilder &b,
                                                    Value channel,
                                                    Value channels) {
  Value active =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, channel, channels);
  Value last = arith::SubIOp::create(b, channels, indexConstant(b, 1));
  return {arith::SelectOp::create(b, active, channel, last), active};
}

Value mlir::mamba::readF32Vector(ImplicitLocOpBuilder &b, Value buffer,
                                 ValueRange indices, int64_t size) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  Value padding =
      arith::ConstantOp::create(b, element, b.getFloatAttr(element, 0.0));
  Value v = vector::TransferReadOp::create(b, VectorType::get({size}, element),
                                           buffer, indices, padding,
                                           ArrayRef<bool>{true});
  return toF32(b, v);
}
