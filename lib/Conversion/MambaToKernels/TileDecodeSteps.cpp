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

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

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
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

LogicalResult tileConvStateUpdate(ConvStateUpdateOp op, int64_t threads) {
  auto stateType = cast<RankedTensorType>(op.getConvState().getType());
  int64_t width = stateType.getDimSize(2);
  if (ShapedType::isDynamic(width))
    return op.emitOpError()
           << "needs a static convolution width K to be tiled (the window "
              "lives in registers)";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Value state = readOnlyBuffer(b, op.getConvState());
  Value x = readOnlyBuffer(b, op.getX());
  Value weight = readOnlyBuffer(b, op.getWeight());
  Value bias = readOnlyBuffer(b, op.getBias());
  SmallVector<Value> sizes = bufferSizes(b, state);
  Value y = allocBuffer(b, op.getY().getType(), {sizes[0], sizes[1]});
  Value newState = allocBuffer(b, op.getNewConvState().getType(), sizes);
  Value channels = sizes[1];
  Value blocks =
      arith::CeilDivUIOp::create(b, channels, indexConstant(b, threads));

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        Value channel = arith::AddIOp::create(
            b, arith::MulIOp::create(b, ids[0], indexConstant(b, threads)),
            thread);
        Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                             channel, channels);
        emitIf(b, active, [&] {
          Value input =
              memref::LoadOp::create(b, x, ValueRange{batch, channel});
          Value acc = emitConvWindowStep(b, state, input, weight, bias,
                                         newState, batch, channel, width);
          if (op.getActivation() == Activation::Silu)
            acc = emitSilu(b, acc);
          memref::StoreOp::create(b, fromF32(b, acc, element), y,
                                  ValueRange{batch, channel});
        });
      });
  replaceWithBuffers(b, op, {y, newState});
  return success();
}

LogicalResult tileSelectiveStateUpdate(SelectiveStateUpdateOp op,
                                       int64_t threadsPerBlock) {
  auto stateType = cast<RankedTensorType>(op.getState().getType());
  int64_t N = stateType.getDimSize(2);
  if (ShapedType::isDynamic(N))
    return op.emitOpError()
           << "needs a static state size N to be tiled (states live in "
              "registers)";
  // A block's only thread keeps all N states: no lanes to reduce across.
  auto [S, lanes, channelsPerBlock, threads] =
      threadsPerBlock == 1 ? StateSplit{N, 1, 1, 1}
                           : chooseStateSplit(N, threadsPerBlock);

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
  Value blocks = arith::CeilDivUIOp::create(b, channels,
                                            indexConstant(b, channelsPerBlock));
  bool precise = element.isF32();

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        Value channel = arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, ids[0],
                                  indexConstant(b, channelsPerBlock)),
            arith::DivUIOp::create(b, thread, indexConstant(b, lanes)));
        auto [c, active] = clampedChannel(b, channel, channels);
        Value lane = arith::RemUIOp::create(b, thread, indexConstant(b, lanes));
        Value first = arith::MulIOp::create(b, lane, indexConstant(b, S));
        Value group = arith::DivUIOp::create(b, c, channelsPerGroup);
        auto read = [&](Value buffer, ValueRange indices) {
          return readF32Vector(b, buffer, indices, S);
        };

        Value dt =
            toF32(b, memref::LoadOp::create(b, dtIn, ValueRange{batch, c}));
        if (dtBias)
          dt = arith::AddFOp::create(
              b, dt, memref::LoadOp::create(b, dtBias, ValueRange{c}));
        if (op.getDeltaSoftplus())
          dt = emitSoftplus(b, dt, precise);
        Value input =
            toF32(b, memref::LoadOp::create(b, x, ValueRange{batch, c}));
        Value h = read(state, ValueRange{batch, c, first});
        Value a = read(A, ValueRange{c, first});
        Value bv = read(B, ValueRange{batch, group, first});
        Value cv = read(C, ValueRange{batch, group, first});

        auto [next, partial] = emitStateStep(b, dt, input, h, a, bv, cv);
        emitIf(b, active, [&] {
          vector::TransferWriteOp::create(b, next, newState,
                                          ValueRange{batch, c, first},
                                          ArrayRef<bool>{true});
        });

        Value out = emitLaneSum(b, partial, lanes);
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
    if (threadsPerBlock != 1 &&
        (threadsPerBlock < 32 || threadsPerBlock > 1024)) {
      getOperation()->emitError()
          << "mamba-tile-decode-steps: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 1 (a CPU block) or between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<ConvStateUpdateOp, SelectiveStateUpdateOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult result =
          isa<ConvStateUpdateOp>(op)
              ? tileConvStateUpdate(cast<ConvStateUpdateOp>(op),
                                    threadsPerBlock)
              : tileSelectiveStateUpdate(cast<SelectiveStateUpdateOp>(op),
                                         threadsPerBlock);
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
