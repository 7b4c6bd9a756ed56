//===- TileDecodeSteps.cpp - one-token conv and SSM updates as kernels ----===//
//
// A decode step touches every state once and does a few operations per
// state, so both kernels are bound by reading and writing the states. A
// thread owns one channel's conv window, or a vector of one channel's SSM
// states (several threads per channel when N is large, reducing y with
// shuffles). Each thread reads all of its state before it writes any, so
// the runtime may pass the same buffer as state and new state.
//
//===----------------------------------------------------------------------===//

#include "KernelNest.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILEDECODESTEPS
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

constexpr int64_t kThreadsPerBlock = 128;

/// The channel of this thread, clamped to the last one so that every thread
/// of a warp takes part in its shuffles, and whether it is a real one.
std::pair<Value, Value> clampedChannel(ImplicitLocOpBuilder &b, Value channel,
                                       Value channels) {
  Value active =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, channel, channels);
  Value last = arith::SubIOp::create(b, channels, indexConstant(b, 1));
  return {arith::SelectOp::create(b, active, channel, last), active};
}

LogicalResult tileConvStateUpdate(ConvStateUpdateOp op) {
  auto stateType = cast<RankedTensorType>(op.getConvState().getType());
  int64_t width = stateType.getDimSize(2);
  if (ShapedType::isDynamic(width))
    return op.emitOpError()
           << "needs a static convolution width K to be tiled (the window "
              "lives in registers)";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Type stateElement = stateType.getElementType();
  Value state = readOnlyBuffer(b, op.getConvState());
  Value x = readOnlyBuffer(b, op.getX());
  Value weight = readOnlyBuffer(b, op.getWeight());
  Value bias = readOnlyBuffer(b, op.getBias());
  SmallVector<Value> sizes = bufferSizes(b, state);
  Value y = allocBuffer(b, op.getY().getType(), {sizes[0], sizes[1]});
  Value newState = allocBuffer(b, op.getNewConvState().getType(), sizes);
  Value channels = sizes[1];
  Value blocks = arith::CeilDivUIOp::create(
      b, channels, indexConstant(b, kThreadsPerBlock));

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, kThreadsPerBlock,
      [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        Value channel = arith::AddIOp::create(
            b, arith::MulIOp::create(b, ids[0],
                                     indexConstant(b, kThreadsPerBlock)),
            thread);
        Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                             channel, channels);
        emitIf(b, active, [&] {
          // The window shifted left by one with x appended, in the state's
          // type (what the next step reads back).
          SmallVector<Value> window;
          for (int64_t k = 1; k < width; ++k)
            window.push_back(memref::LoadOp::create(
                b, state, ValueRange{batch, channel, indexConstant(b, k)}));
          Value input = memref::LoadOp::create(b, x, ValueRange{batch, channel});
          window.push_back(fromF32(b, toF32(b, input), stateElement));
          Value acc = bias ? toF32(b, memref::LoadOp::create(
                                          b, bias, ValueRange{channel}))
                           : f32Constant(b, 0.0);
          for (int64_t k = 0; k < width; ++k) {
            Value w = toF32(b, memref::LoadOp::create(
                                   b, weight,
                                   ValueRange{channel, indexConstant(b, k)}));
            acc = math::FmaOp::create(b, w, toF32(b, window[k]), acc);
          }
          if (op.getActivation() == Activation::Silu)
            acc = emitSilu(b, acc);
          for (int64_t k = 0; k < width; ++k)
            memref::StoreOp::create(
                b, window[k], newState,
                ValueRange{batch, channel, indexConstant(b, k)});
          memref::StoreOp::create(b, fromF32(b, acc, element), y,
                                  ValueRange{batch, channel});
        });
      });
  replaceWithBuffers(b, op, {y, newState});
  return success();
}

LogicalResult tileSelectiveStateUpdate(SelectiveStateUpdateOp op) {
  auto stateType = cast<RankedTensorType>(op.getState().getType());
  int64_t N = stateType.getDimSize(2);
  if (ShapedType::isDynamic(N))
    return op.emitOpError()
           << "needs a static state size N to be tiled (states live in "
              "registers)";
  // Up to 16 states per thread; N / S threads per channel reduce y with
  // shuffles when that is a power of two that fits a warp.
  int64_t S = std::min<int64_t>(N, 16);
  if (N % S != 0 || !llvm::isPowerOf2_64(N / S) || N / S > kWarpSize)
    S = N;
  const int64_t lanes = N / S;
  const int64_t channelsPerBlock = std::max<int64_t>(1, kThreadsPerBlock / lanes);
  const int64_t threads = channelsPerBlock * lanes;

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Value state = readOnlyBuffer(b, op.getState());
  Value x = readOnlyBuffer(b, op.getX());
  Value dtIn = readOnlyBuffer(b, op.getDt());
  Value A = readOnlyBuffer(b, op.getA());
  Value B = readOnlyBuffer(b, op.getB());
  Value C = readOnlyBuffer(b, op.getC());
  Value D = readOnlyBuffer(b, op.getD());
  Value z = readOnlyBuffer(b, op.getZ());
  Value dtBias = readOnlyBuffer(b, op.getDtBias());
  SmallVector<Value> sizes = bufferSizes(b, state);
  Value y = allocBuffer(b, op.getY().getType(), {sizes[0], sizes[1]});
  Value newState = allocBuffer(b, op.getNewState().getType(), sizes);
  Value channels = sizes[1];
  Value groups = memref::DimOp::create(b, B, 1);
  Value channelsPerGroup = arith::DivUIOp::create(b, channels, groups);
  Value blocks = arith::CeilDivUIOp::create(
      b, channels, indexConstant(b, channelsPerBlock));
  auto vectorType = VectorType::get({S}, b.getF32Type());
  bool precise = element.isF32();

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        Value channel = arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, ids[0], indexConstant(b, channelsPerBlock)),
            arith::DivUIOp::create(b, thread, indexConstant(b, lanes)));
        auto [c, active] = clampedChannel(b, channel, channels);
        Value lane = arith::RemUIOp::create(b, thread, indexConstant(b, lanes));
        Value first = arith::MulIOp::create(b, lane, indexConstant(b, S));
        Value group = arith::DivUIOp::create(b, c, channelsPerGroup);
        auto read = [&](Value buffer, ValueRange indices) {
          Type bufferElement = cast<MemRefType>(buffer.getType()).getElementType();
          Value padding = arith::ConstantOp::create(
              b, bufferElement, b.getFloatAttr(bufferElement, 0.0));
          Value v = vector::TransferReadOp::create(
              b, VectorType::get({S}, bufferElement), buffer, indices, padding,
              ArrayRef<bool>{true});
          return toF32(b, v);
        };

        Value dt = toF32(b, memref::LoadOp::create(b, dtIn, ValueRange{batch, c}));
        if (dtBias)
          dt = arith::AddFOp::create(
              b, dt, memref::LoadOp::create(b, dtBias, ValueRange{c}));
        if (op.getDeltaSoftplus())
          dt = emitSoftplus(b, dt, precise);
        Value input = toF32(b, memref::LoadOp::create(b, x, ValueRange{batch, c}));
        Value h = read(state, ValueRange{batch, c, first});
        Value a = read(A, ValueRange{c, first});
        Value bv = read(B, ValueRange{batch, group, first});
        Value cv = read(C, ValueRange{batch, group, first});

        // exp(dt * A) as exp2(dt * A * log2 e): one MUFU.EX2 per state.
        Value scaled = arith::MulFOp::create(
            b, vector::BroadcastOp::create(
                   b, vectorType,
                   arith::MulFOp::create(b, dt,
                                         f32Constant(b, llvm::numbers::log2e))),
            a);
        Value decay = math::Exp2Op::create(b, scaled);
        Value dtU = arith::MulFOp::create(b, dt, input);
        Value next = vector::FMAOp::create(
            b, decay, h,
            arith::MulFOp::create(
                b, vector::BroadcastOp::create(b, vectorType, dtU), bv));
        emitIf(b, active, [&] {
          vector::TransferWriteOp::create(b, next, newState,
                                          ValueRange{batch, c, first},
                                          ArrayRef<bool>{true});
        });

        Value out = f32Constant(b, 0.0);
        for (int64_t k = 0; k < S; ++k)
          out = math::FmaOp::create(b, vector::ExtractOp::create(b, cv, k),
                                    vector::ExtractOp::create(b, next, k), out);
        out = emitLaneSum(b, out, lanes);
        if (D)
          out = math::FmaOp::create(
              b, memref::LoadOp::create(b, D, ValueRange{c}), input, out);
        if (z)
          out = arith::MulFOp::create(
              b, out,
              emitSilu(b, toF32(b, memref::LoadOp::create(
                                       b, z, ValueRange{batch, c}))));
        Value writer = arith::AndIOp::create(
            b, active,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane,
                                  indexConstant(b, 0)));
        emitIf(b, writer, [&] {
          memref::StoreOp::create(b, fromF32(b, out, element), y,
                                  ValueRange{batch, c});
        });
      });
  replaceWithBuffers(b, op, {y, newState});
  return success();
}

struct MambaTileDecodeStepsPass
    : mamba::impl::MambaTileDecodeStepsBase<MambaTileDecodeStepsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<ConvStateUpdateOp, SelectiveStateUpdateOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult result =
          isa<ConvStateUpdateOp>(op)
              ? tileConvStateUpdate(cast<ConvStateUpdateOp>(op))
              : tileSelectiveStateUpdate(cast<SelectiveStateUpdateOp>(op));
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
