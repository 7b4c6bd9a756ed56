//===- TileSsdStep.cpp - Mamba-2's decode step as one GPU kernel ----------===//
//
// The multi-head state update reads and writes each head's [P, N] state
// once: like Mamba-1's (TileDecodeSteps.cpp), a channel (here a head's
// channel p, of H x P) spreads its N states over a few lanes of a warp,
// S states a lane in registers, and its y = S . C is summed across them by
// shuffles. What differs is where a channel's parameters come from: dt,
// its bias, A and D are the head's (h = channel / P), B and C its group's
// (h / (H / G)), and D may be per channel ([H, P]).
//
//===----------------------------------------------------------------------===//

#include "SsdBuffers.h"
#include "SsdTimeStep.h"

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILESSDSTEP
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

LogicalResult tileSsdStep(SsdStateUpdateOp op, int64_t threadsPerBlock) {
  auto [H, P, G, N] = ssdSizes(op);
  if (failed(checkGpuSsdSizes(op, H, P, G, N)))
    return failure();
  auto [S, lanes, channelsPerBlock, threads] =
      chooseStateSplit(N, threadsPerBlock);

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  auto [state, x, dtIn, A, Bm, Cm, D, z, dtBias, y, newState, sizes] =
      takeSsdStepBuffers(b, op, N); // sizes: b, H, P
  Value blocks = indexConstant(b, llvm::divideCeil(H * P, channelsPerBlock));
  auto vectorType = VectorType::get({S}, b.getF32Type());

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        auto [h, p, group, lane, first, active] = locateHeadChannel(
            b, ids[0], thread, H, P, G, lanes, S, channelsPerBlock);

        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();
        Value dt = emitStep(
            b, op, memref::LoadOp::create(b, dtIn, ValueRange{batch, h}), bias,
            element.isF32());
        Value input =
            toF32(b, memref::LoadOp::create(b, x, ValueRange{batch, h, p}));
        Value s = readF32Vector(b, state, {batch, h, p, first}, S);
        // The head's A for each of the lane's states.
        Value a = vector::BroadcastOp::create(
            b, vectorType, memref::LoadOp::create(b, A, ValueRange{h}));
        Value bv = readF32Vector(b, Bm, {batch, group, first}, S);
        Value cv = readF32Vector(b, Cm, {batch, group, first}, S);
        auto [next, partial] = emitStateStep(b, dt, input, s, a, bv, cv);
        emitIf(b, active, [&] {
          vector::TransferWriteOp::create(b, next, newState,
                                          ValueRange{batch, h, p, first},
                                          ArrayRef<bool>{true});
        });

        Value out = emitLaneSum(b, partial, lanes);
        Value gate =
            z ? toF32(b, memref::LoadOp::create(b, z, ValueRange{batch, h, p}))
              : Value();
        out = emitSkipAndGate(b, out, input, D, h, p, gate);
        Value writer = arith::AndIOp::create(
            b, active,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane,
                                  indexConstant(b, 0)));
        emitIf(b, writer, [&] {
          memref::StoreOp::create(b, fromF32(b, out, element), y,
                                  ValueRange{batch, h, p});
        });
      });
  replaceWithBuffers(b, op, {y, newState});
  return success();
}

struct MambaTileSsdStepPass
    : mamba::impl::MambaTileSsdStepBase<MambaTileSsdStepPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock < kWarpSize || threadsPerBlock > 1024) {
      getOperation()->emitError() << "mamba-tile-ssd-step: threads-per-block = "
                                  << static_cast<int64_t>(threadsPerBlock)
                                  << " must be between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<SsdStateUpdateOp> ops;
    getOperation()->walk([&](SsdStateUpdateOp op) { ops.push_back(op); });
    for (SsdStateUpdateOp op : ops)
      if (failed(tileSsdStep(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
