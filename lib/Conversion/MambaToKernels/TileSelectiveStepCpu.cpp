//===- TileSelectiveStepCpu.cpp - a fused decode step as two host kernels -===//
//
// The CPU form of mamba-tile-selective-step: the same two kernels with the
// same split (x_proj reduces over every channel, so the partial sums of
// kernel 1's slices meet in kernel 2), each block one thread that loops
// over its channels where the GPU form spreads them over threads and
// shared memory. Blocks of 64 channels give an E = 1536 model 24 blocks
// per kernel and token, enough for a few cores, each reading its slice of
// the x_proj weights once.
//
// Values the unfused ops would store in the activation type (the conv
// output, x_proj and dt_proj outputs) are rounded the same way here, as
// the GPU form does, so both forms and both targets agree up to the order
// of the sums.
//
//===----------------------------------------------------------------------===//

#include "StepBuffers.h"
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

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILESELECTIVESTEPCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Channels per block of both kernels.
constexpr int64_t kChannels = 64;

/// The most f32 lanes, up to 8 (an AVX2 register), that divide `n`.
int64_t lanesDividing(int64_t n) {
  for (int64_t width = 8; width > 1; width /= 2)
    if (n % width == 0)
      return width;
  return 1;
}

/// sum_i w[row, col0 + i] * x[i] for i < count (a multiple of `width`), w
/// a [rows, cols] buffer of any float type, x an f32 scratch vector, in
/// `width`-lane partial sums added at the end. With `lastColumn`, each
/// vector's first column is clamped to it (a vector past the end of the
/// row reads the last one, for x to zero).
Value emitDot(ImplicitLocOpBuilder &b, Value w, Value row, Value col0, Value x,
              int64_t count, int64_t width, Value lastColumn = Value()) {
  auto laneType = VectorType::get({width}, b.getF32Type());
  Value zero = vector::BroadcastOp::create(b, laneType, f32Constant(b, 0.0));
  auto loop =
      scf::ForOp::create(b, indexConstant(b, 0), indexConstant(b, count),
                         indexConstant(b, width), ValueRange{zero});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value i = loop.getInductionVar();
    Value col = arith::AddIOp::create(b, col0, i);
    if (lastColumn)
      col = arith::MinUIOp::create(b, col, lastColumn);
    Value wv = readF32Vector(b, w, {row, col}, width);
    Value xv = vector::LoadOp::create(b, laneType, x, ValueRange{i});
    scf::YieldOp::create(b, ValueRange{vector::FMAOp::create(
                                b, wv, xv, loop.getRegionIterArg(0))});
  }
  // reassoc: a tree of vector adds, not the lanes added one by one in
  // order (a chain of dependent scalar adds).
  return vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                     loop.getResult(0),
                                     arith::FastMathFlags::reassoc);
}

/// Both kernels' grid: a one-thread block per kChannels channels of each
/// batch row; `body` gets the block, the batch row and the block's first
/// channel.
void emitChannelBlocks(ImplicitLocOpBuilder &b, int64_t blocks, Value batches,
                       function_ref<void(Value, Value, Value)> body) {
  emitBlockThreadNest(
      b, {b.getIndexAttr(blocks), batches}, /*threads=*/1,
      [&](ValueRange ids, Value) {
        body(ids[0], ids[1],
             arith::MulIOp::create(b, ids[0], indexConstant(b, kChannels)));
      });
}

LogicalResult tileSelectiveStep(SelectiveStepOp op) {
  const int64_t E = op.getInnerSize(), N = op.getStateSize(),
                R = op.getDtRank(), K = op.getConvWidth();
  if (failed(checkStaticStepSizes(op, "their scratch")))
    return failure();
  const int64_t J = R + 2 * N;
  const int64_t blocks = llvm::divideCeil(E, kChannels);

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getXz().getType());
  Type f32 = b.getF32Type();
  StepBuffers buffers = takeStepBuffers(b, op, blocks);
  Value xz = buffers.xz, convState = buffers.convState,
        ssmState = buffers.ssmState, convWeight = buffers.convWeight,
        convBias = buffers.convBias, xWeight = buffers.xWeight,
        dtWeight = buffers.dtWeight, dtBias = buffers.dtBias, A = buffers.A,
        D = buffers.D;
  Value batches = buffers.batches, channels = buffers.channels;
  Value y = buffers.y, newConv = buffers.newConv, newSsm = buffers.newSsm;
  Value convOut = buffers.convOut, partials = buffers.partials;

  // Kernel 1: per channel the conv window update and SiLU, then this
  // block's share of every x_proj row. The weight columns are read in
  // vectors that divide E, so a vector is either inside E or, clamped to
  // the last one, meets only the zeros stored past E.
  const int64_t wx = lanesDividing(E);
  emitChannelBlocks(
      b, blocks, batches, [&](Value block, Value batch, Value first) {
        Value xs =
            memref::AllocaOp::create(b, MemRefType::get({kChannels}, f32));
        emitFor(b, indexConstant(b, kChannels), [&](Value local) {
          auto [c, inRange] = clampedChannel(
              b, arith::AddIOp::create(b, first, local), channels);
          memref::StoreOp::create(b, f32Constant(b, 0.0), xs,
                                  ValueRange{local});
          emitIf(b, inRange, [&] {
            Value input = memref::LoadOp::create(b, xz, ValueRange{batch, c});
            Value acc = emitConvWindowStep(b, convState, input, convWeight,
                                           convBias, newConv, batch, c, K);
            Value x = roundToStorage(b, emitSilu(b, acc), element);
            memref::StoreOp::create(b, x, convOut, ValueRange{batch, c});
            memref::StoreOp::create(b, x, xs, ValueRange{local});
          });
        });
        Value lastColumn = E % kChannels ? indexConstant(b, E - wx) : Value();
        emitFor(b, indexConstant(b, J), [&](Value row) {
          Value sum =
              emitDot(b, xWeight, row, first, xs, kChannels, wx, lastColumn);
          memref::StoreOp::create(b, sum, partials,
                                  ValueRange{batch, block, row});
        });
      });

  // Kernel 2: [dt_r | B | C] summed from the partials in a fixed order,
  // then per channel dt_proj, softplus, the state update, skip and gate.
  const int64_t wr = lanesDividing(R);
  emitChannelBlocks(
      b, blocks, batches, [&](Value block, Value batch, Value first) {
        Value projected =
            memref::AllocaOp::create(b, MemRefType::get({J}, f32));
        emitFor(b, indexConstant(b, J), [&](Value row) {
          Value sum = f32Constant(b, 0.0);
          for (int64_t s = 0; s < blocks; ++s)
            sum = arith::AddFOp::create(
                b, sum,
                memref::LoadOp::create(
                    b, partials, ValueRange{batch, indexConstant(b, s), row}));
          memref::StoreOp::create(b, roundToStorage(b, sum, element), projected,
                                  ValueRange{row});
        });
        Value bv = readF32Vector(b, projected, {indexConstant(b, R)}, N);
        Value cv = readF32Vector(b, projected, {indexConstant(b, R + N)}, N);
        emitFor(b, indexConstant(b, kChannels), [&](Value local) {
          auto [c, inRange] = clampedChannel(
              b, arith::AddIOp::create(b, first, local), channels);
          emitIf(b, inRange, [&] {
            // dt = dt_proj[c] . dt_r, stored by dt_proj in the activation
            // type.
            Value dot =
                emitDot(b, dtWeight, c, indexConstant(b, 0), projected, R, wr);
            Value dt = arith::AddFOp::create(
                b, roundToStorage(b, dot, element),
                memref::LoadOp::create(b, dtBias, ValueRange{c}));
            dt = emitSoftplus(b, dt, /*precise=*/element.isF32());
            Value u = memref::LoadOp::create(b, convOut, ValueRange{batch, c});
            Value h =
                readF32Vector(b, ssmState, {batch, c, indexConstant(b, 0)}, N);
            Value a = readF32Vector(b, A, {c, indexConstant(b, 0)}, N);
            auto [next, out] = emitStateStep(b, dt, u, h, a, bv, cv);
            vector::TransferWriteOp::create(
                b, next, newSsm, ValueRange{batch, c, indexConstant(b, 0)},
                ArrayRef<bool>{true});
            Value z = toF32(
                b,
                memref::LoadOp::create(
                    b, xz,
                    ValueRange{batch, arith::AddIOp::create(b, c, channels)}));
            out = math::FmaOp::create(
                b, memref::LoadOp::create(b, D, ValueRange{c}), u, out);
            out = arith::MulFOp::create(b, out, emitSilu(b, z));
            memref::StoreOp::create(b, fromF32(b, out, element), y,
                                    ValueRange{batch, c});
          });
        });
      });
  replaceWithBuffers(b, op, {y, newConv, newSsm});
  return success();
}

struct MambaTileSelectiveStepCpuPass
    : mamba::impl::MambaTileSelectiveStepCpuBase<
          MambaTileSelectiveStepCpuPass> {
  void runOnOperation() override {
    SmallVector<SelectiveStepOp> ops;
    getOperation()->walk([&](SelectiveStepOp op) { ops.push_back(op); });
    for (SelectiveStepOp op : ops)
      if (failed(tileSelectiveStep(op)))
        return signalPassFailure();
  }
};

} // namespace
