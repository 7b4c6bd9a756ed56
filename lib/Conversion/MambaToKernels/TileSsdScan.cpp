//===- TileSsdScan.cpp - the SSD scan as a per-step GPU kernel ------------===//
//
// The recurrence form of Mamba-2's scan on the GPU: the decode step's layout
// (TileSsdStep.cpp; a head's channel spreads its N states over a few lanes
// of a warp, S a lane, in registers) walking the sequence, so the states
// are read once (or start at zero) and written once, and each position
// costs its B and C rows, x, dt and y. It is the correct baseline the
// chunked tensor-core kernel (C B^T within a chunk as matrix products, the
// issue-21 algorithm) is to replace: its exponentials and FMAs are P x N
// per head and position, with no use of the tensor cores.
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
#define GEN_PASS_DEF_MAMBATILESSDSCAN
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

LogicalResult tileSsdScan(SsdScanOp op, int64_t threadsPerBlock) {
  auto [H, P, G, N] = ssdSizes(op);
  if (failed(checkGpuSsdSizes(op, H, P, G, N)))
    return failure();
  auto [S, lanes, channelsPerBlock, threads] =
      chooseStateSplit(N, threadsPerBlock);

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  auto [x, dtIn, A, Bm, Cm, D, z, dtBias, h0, seq, y, finalStates, sizes] =
      takeSsdScanBuffers(b, op, N); // sizes: b, L, H, P
  Value blocks = indexConstant(b, llvm::divideCeil(H * P, channelsPerBlock));
  auto vectorType = VectorType::get({S}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(
      b, vectorType, DenseElementsAttr::get(vectorType, 0.0f));

  emitBlockThreadNest(
      b, {blocks, sizes[0]}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        auto [h, p, group, lane, first, active] = locateHeadChannel(
            b, ids[0], thread, H, P, G, lanes, S, channelsPerBlock);
        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();
        Value a = vector::BroadcastOp::create(
            b, vectorType, memref::LoadOp::create(b, A, ValueRange{h}));
        Value start =
            h0 ? readF32Vector(b, h0, {batch, h, p, first}, S) : zeros;
        Value length = memref::DimOp::create(b, x, 1);
        Value c0 = indexConstant(b, 0), c1 = indexConstant(b, 1);

        auto loop = scf::ForOp::create(b, c0, length, c1, ValueRange{start});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value t = loop.getInductionVar();
          Value s = loop.getRegionIterArg(0);
          if (seq) {
            // Where seq_idx changes, a new sequence starts from zero.
            Value previous = arith::SelectOp::create(
                b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, t, c0),
                c0, arith::SubIOp::create(b, t, c1));
            Value changed = arith::CmpIOp::create(
                b, arith::CmpIPredicate::ne,
                memref::LoadOp::create(b, seq, ValueRange{batch, t}),
                memref::LoadOp::create(b, seq, ValueRange{batch, previous}));
            s = arith::SelectOp::create(b, changed, zeros, s);
          }
          Value dt = emitStep(
              b, op, memref::LoadOp::create(b, dtIn, ValueRange{batch, t, h}),
              bias, element.isF32());
          Value input = toF32(
              b, memref::LoadOp::create(b, x, ValueRange{batch, t, h, p}));
          Value bv = readF32Vector(b, Bm, {batch, t, group, first}, S);
          Value cv = readF32Vector(b, Cm, {batch, t, group, first}, S);
          auto [next, partial] = emitStateStep(b, dt, input, s, a, bv, cv);
          Value out = emitLaneSum(b, partial, lanes);
          Value gate = z ? toF32(b, memref::LoadOp::create(
                                        b, z, ValueRange{batch, t, h, p}))
                         : Value();
          out = emitSkipAndGate(b, out, input, D, h, p, gate);
          Value writer = arith::AndIOp::create(
              b, active,
              arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, c0));
          emitIf(b, writer, [&] {
            memref::StoreOp::create(b, fromF32(b, out, element), y,
                                    ValueRange{batch, t, h, p});
          });
          scf::YieldOp::create(b, ValueRange{next});
        }
        if (finalStates)
          emitIf(b, active, [&] {
            vector::TransferWriteOp::create(b, loop.getResult(0), finalStates,
                                            ValueRange{batch, h, p, first},
                                            ArrayRef<bool>{true});
          });
      });
  SmallVector<Value> results = {y};
  if (finalStates)
    results.push_back(finalStates);
  replaceWithBuffers(b, op, results);
  return success();
}

struct MambaTileSsdScanPass
    : mamba::impl::MambaTileSsdScanBase<MambaTileSsdScanPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock < kWarpSize || threadsPerBlock > 1024) {
      getOperation()->emitError() << "mamba-tile-ssd-scan: threads-per-block = "
                                  << static_cast<int64_t>(threadsPerBlock)
                                  << " must be between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<SsdScanOp> ops;
    getOperation()->walk([&](SsdScanOp op) { ops.push_back(op); });
    for (SsdScanOp op : ops)
      if (failed(tileSsdScan(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
