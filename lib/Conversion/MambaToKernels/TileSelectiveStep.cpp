//===- TileSelectiveStep.cpp - a fused decode step as two GPU kernels -----===//
//
// mamba.selective_step is what a mixer does to one token between in_proj
// and out_proj. Unfused it is six launches (conv update, three x_proj
// GEMMs, dt_proj, state update), each a few microseconds of launch and
// latency for a few KB of work; fused it is two. The split is where the
// data dictates it: x_proj reduces over all E channels of the conv output,
// and everything after it is again per channel.
//
//   kernel 1, a block per 128 channels of a sequence: the conv window
//     update and SiLU per channel (x kept in shared memory and in a scratch
//     row for kernel 2), then this block's share of x_proj: a thread per
//     output row sums the block's channels, 16-byte weight vectors against
//     x from shared memory. The weights are loaded before the conv and all
//     loads are independent, so the kernel costs about two memory
//     latencies. One partial per block and row: a split-K GEMV whose
//     partials kernel 2 adds in a fixed order, so results do not depend on
//     scheduling.
//   kernel 2, 256 threads per block, each channel's states four per lane
//     (64 channels a block for N = 16): every per-channel global read is
//     issued first, then
//     the partials are added into [dt_r | B | C] in shared memory; per
//     channel dt = dt_proj[c] . dt_r (R MACs, the weight row in 16-byte
//     vectors shared among the lanes), softplus, the state update, D skip
//     and SiLU(z) gate, with z read from the second half of xz.
//
// Where the unfused ops would store a value in the activation type (the
// conv output, x_proj and dt_proj outputs), it is rounded the same way
// here, so both forms agree up to the order of the sums.
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
#define GEN_PASS_DEF_MAMBATILESELECTIVESTEP
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Kernel 1: channels per block (a thread each for the conv) and threads
/// per block (a thread per x_proj output row, J = R + 2N rows).
constexpr int64_t kConvChannels = 128;
constexpr int64_t kProjThreads = 256;
/// Kernel 2: threads per block, and at most 4 states per thread: a channel
/// spread over lanes splits its dt_proj row between them too, so for N = 16
/// a thread holds a quarter of the registers and an E = 5120 model runs 80
/// blocks of 256 threads, where a thread per channel gave 40 of 128.
constexpr int64_t kStepThreads = 256;
constexpr int64_t kStepStates = 4;

/// The most elements of `element` up to 16 bytes that divide `n`: the
/// vector width of loads along a dimension of size n.
int64_t vectorWidth(int64_t n, Type element) {
  const int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  for (int64_t width = 16 / bytes; width > 1; width /= 2)
    if (n % width == 0)
      return width;
  return 1;
}

/// `width` consecutive elements of `buffer` at `indices` as f32. The
/// caller guarantees the alignment of width elements: the buffer starts
/// 16-byte aligned (the runtime checks), its rows are multiples of width
/// elements long and the last index is a multiple of width.
Value loadVector(ImplicitLocOpBuilder &b, Value buffer, ArrayRef<Value> indices,
                 int64_t width) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  const int64_t bytes = width * element.getIntOrFloatBitWidth() / 8;
  return vector::LoadOp::create(
      b, VectorType::get({width}, element), buffer, indices,
      /*nontemporal=*/false, llvm::MaybeAlign(std::min<int64_t>(bytes, 16)));
}

Value loadF32Vector(ImplicitLocOpBuilder &b, Value buffer,
                    ArrayRef<Value> indices, int64_t width) {
  return toF32(b, loadVector(b, buffer, indices, width));
}

/// The rows `thread + i * threads` (i < ceil(rows / threads)) of a thread,
/// each clamped to the last row, with whether it is a real one. Unrolled
/// rather than a loop so that the loads of all of a thread's rows are in
/// flight at once; clamped so that they need no branch.
SmallVector<std::pair<Value, Value>> threadRows(ImplicitLocOpBuilder &b,
                                                Value thread, int64_t rows,
                                                int64_t threads) {
  SmallVector<std::pair<Value, Value>> result;
  for (int64_t first = 0; first < rows; first += threads) {
    Value row = arith::AddIOp::create(b, thread, indexConstant(b, first));
    result.push_back(clampedChannel(b, row, indexConstant(b, rows)));
  }
  return result;
}

Value zeroVector(ImplicitLocOpBuilder &b, int64_t width) {
  return vector::BroadcastOp::create(
      b, VectorType::get({width}, b.getF32Type()), f32Constant(b, 0.0));
}

Value sumOf(ImplicitLocOpBuilder &b, Value vector) {
  return vector::ReductionOp::create(b, vector::CombiningKind::ADD, vector);
}

LogicalResult tileSelectiveStep(SelectiveStepOp op) {
  const int64_t E = op.getInnerSize(), N = op.getStateSize(),
                R = op.getDtRank(), K = op.getConvWidth();
  if (failed(checkStaticStepSizes(op, "their shared memory and registers")))
    return failure();
  const int64_t J = R + 2 * N;
  const int64_t slices = llvm::divideCeil(E, kConvChannels);
  auto [S, lanes, channelsPerBlock, threads] =
      chooseStateSplit(N, kStepThreads, kStepStates);

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getXz().getType());
  StepBuffers buffers = takeStepBuffers(b, op, slices);
  Value xz = buffers.xz, convState = buffers.convState,
        ssmState = buffers.ssmState, convWeight = buffers.convWeight,
        convBias = buffers.convBias, xWeight = buffers.xWeight,
        dtWeight = buffers.dtWeight, dtBias = buffers.dtBias, A = buffers.A,
        D = buffers.D;
  Value batches = buffers.batches, channels = buffers.channels;
  Value y = buffers.y, newConv = buffers.newConv, newSsm = buffers.newSsm;
  Value convOut = buffers.convOut, partials = buffers.partials;
  Type xWeightElement = getElementTypeOrSelf(op.getXProjWeight().getType());
  Type dtWeightElement = getElementTypeOrSelf(op.getDtProjWeight().getType());

  // Kernel 1: conv window update, SiLU, x_proj partials.
  const int64_t wx = vectorWidth(E, xWeightElement);
  emitBlockThreadNest(
      b, {b.getIndexAttr(slices), batches}, kProjThreads,
      [&](ValueRange ids, Value thread) {
        Value slice = ids[0], batch = ids[1];
        Value first =
            arith::MulIOp::create(b, slice, indexConstant(b, kConvChannels));
        // x_proj: a thread per output row, the block's channels in 16-byte
        // vectors of weights against x from shared memory. The weights of
        // a thread's first row do not depend on x: they are loaded before
        // the conv, so their latency overlaps it. A chunk past E is clamped
        // to the last one (finite weights) and meets the zeros stored for
        // those channels.
        SmallVector<std::pair<Value, Value>> rows =
            threadRows(b, thread, J, kProjThreads);
        auto loadRow = [&](Value row) {
          SmallVector<Value> weights;
          for (int64_t local = 0; local < kConvChannels; local += wx) {
            Value col = arith::MinUIOp::create(
                b, arith::AddIOp::create(b, first, indexConstant(b, local)),
                indexConstant(b, E - wx));
            weights.push_back(loadVector(b, xWeight, {row, col}, wx));
          }
          return weights;
        };
        SmallVector<Value> firstRow = loadRow(rows.front().first);

        Value xs = allocShared(b, {kConvChannels}, b.getF32Type());
        Value local = arith::MinUIOp::create(
            b, thread, indexConstant(b, kConvChannels - 1));
        Value convThread =
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, thread,
                                  indexConstant(b, kConvChannels));
        auto [c, inRange] =
            clampedChannel(b, arith::AddIOp::create(b, first, local), channels);
        Value active = arith::AndIOp::create(b, convThread, inRange);
        // Channels past E contribute zeros to the partial sums.
        emitIf(b, convThread, [&] {
          memref::StoreOp::create(b, f32Constant(b, 0.0), xs,
                                  ValueRange{local});
        });
        emitIf(b, active, [&] {
          Value input = memref::LoadOp::create(b, xz, ValueRange{batch, c});
          Value acc = emitConvWindowStep(b, convState, input, convWeight,
                                         convBias, newConv, batch, c, K);
          Value x = roundToStorage(b, emitSilu(b, acc), element);
          memref::StoreOp::create(b, x, convOut, ValueRange{batch, c});
          memref::StoreOp::create(b, x, xs, ValueRange{local});
        });
        gpu::BarrierOp::create(b);

        SmallVector<Value> sums;
        for (auto [i, row] : llvm::enumerate(rows)) {
          SmallVector<Value> weights = i == 0 ? firstRow : loadRow(row.first);
          Value acc = zeroVector(b, wx);
          for (auto [j, w] : llvm::enumerate(weights)) {
            Value v = loadF32Vector(
                b, xs, {indexConstant(b, static_cast<int64_t>(j) * wx)}, wx);
            acc = vector::FMAOp::create(b, toF32(b, w), v, acc);
          }
          sums.push_back(sumOf(b, acc));
        }
        for (auto [row, sum] : llvm::zip(rows, sums))
          emitIf(b, row.second, [&] {
            memref::StoreOp::create(b, sum, partials,
                                    ValueRange{batch, slice, row.first});
          });
      });

  // Kernel 2: [dt_r | B | C], dt_proj, softplus, state update, skip, gate.
  OpFoldResult blocks = b.getIndexAttr(llvm::divideCeil(E, channelsPerBlock));
  bool precise = element.isF32();
  emitBlockThreadNest(
      b, {blocks, batches}, threads, [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        // Everything a channel reads from global memory is loaded first, so
        // those latencies overlap the partials' instead of following the
        // barrier.
        Value channel = arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, ids[0],
                                  indexConstant(b, channelsPerBlock)),
            arith::DivUIOp::create(b, thread, indexConstant(b, lanes)));
        auto [c, active] = clampedChannel(b, channel, channels);
        Value lane = arith::RemUIOp::create(b, thread, indexConstant(b, lanes));
        Value firstState = arith::MulIOp::create(b, lane, indexConstant(b, S));
        // The channel's lanes share its dt_proj row: lane l takes the
        // vectors l, l + lanes, ..., the last clamped (and zeroed) where
        // the vectors do not divide evenly.
        const int64_t wr = vectorWidth(R, dtWeightElement);
        const int64_t vectors = R / wr;
        SmallVector<std::pair<Value, Value>> dtChunks =
            threadRows(b, lane, vectors, lanes);
        SmallVector<Value> dtRow;
        for (auto [chunk, valid] : dtChunks) {
          Value col = arith::MulIOp::create(b, chunk, indexConstant(b, wr));
          Value w = loadF32Vector(b, dtWeight, {c, col}, wr);
          dtRow.push_back(
              arith::SelectOp::create(b, valid, w, zeroVector(b, wr)));
        }
        Value bias = memref::LoadOp::create(b, dtBias, ValueRange{c});
        Value u = memref::LoadOp::create(b, convOut, ValueRange{batch, c});
        Value h =
            readF32Vector(b, ssmState, ValueRange{batch, c, firstState}, S);
        Value a = readF32Vector(b, A, ValueRange{c, firstState}, S);
        Value skip = memref::LoadOp::create(b, D, ValueRange{c});
        Value z = toF32(
            b, memref::LoadOp::create(
                   b, xz,
                   ValueRange{batch, arith::AddIOp::create(b, c, channels)}));

        Value projected = allocShared(b, {J}, b.getF32Type());
        SmallVector<std::pair<Value, Value>> rows =
            threadRows(b, thread, J, threads);
        SmallVector<Value> sums;
        for (auto [row, valid] : rows) {
          Value sum = f32Constant(b, 0.0);
          for (int64_t s = 0; s < slices; ++s)
            sum = arith::AddFOp::create(
                b, sum,
                memref::LoadOp::create(
                    b, partials, ValueRange{batch, indexConstant(b, s), row}));
          sums.push_back(roundToStorage(b, sum, element));
        }
        for (auto [row, sum] : llvm::zip(rows, sums))
          emitIf(b, row.second, [&] {
            memref::StoreOp::create(b, sum, projected, ValueRange{row.first});
          });
        gpu::BarrierOp::create(b);

        // dt = dt_proj[c] . dt_r, stored by dt_proj in the activation type.
        Value dot = zeroVector(b, wr);
        for (auto [chunk, w] : llvm::zip(dtChunks, dtRow)) {
          Value col =
              arith::MulIOp::create(b, chunk.first, indexConstant(b, wr));
          dot = vector::FMAOp::create(
              b, w, loadF32Vector(b, projected, {col}, wr), dot);
        }
        Value dt = arith::AddFOp::create(
            b, roundToStorage(b, emitLaneSum(b, sumOf(b, dot), lanes), element),
            bias);
        dt = emitSoftplus(b, dt, precise);

        Value bv = readF32Vector(b, projected,
                                 ValueRange{arith::AddIOp::create(
                                     b, firstState, indexConstant(b, R))},
                                 S);
        Value cv = readF32Vector(b, projected,
                                 ValueRange{arith::AddIOp::create(
                                     b, firstState, indexConstant(b, R + N))},
                                 S);
        auto [next, partial] = emitStateStep(b, dt, u, h, a, bv, cv);
        emitIf(b, active, [&] {
          vector::TransferWriteOp::create(b, next, newSsm,
                                          ValueRange{batch, c, firstState},
                                          ArrayRef<bool>{true});
        });

        Value out = emitLaneSum(b, partial, lanes);
        out = math::FmaOp::create(b, skip, u, out);
        out = arith::MulFOp::create(b, out, emitSilu(b, z));
        Value writer = arith::AndIOp::create(
            b, active,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane,
                                  indexConstant(b, 0)));
        emitIf(b, writer, [&] {
          memref::StoreOp::create(b, fromF32(b, out, element), y,
                                  ValueRange{batch, c});
        });
      });
  replaceWithBuffers(b, op, {y, newConv, newSsm});
  return success();
}

struct MambaTileSelectiveStepPass
    : mamba::impl::MambaTileSelectiveStepBase<MambaTileSelectiveStepPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<SelectiveStepOp> ops;
    getOperation()->walk([&](SelectiveStepOp op) { ops.push_back(op); });
    for (SelectiveStepOp op : ops)
      if (failed(tileSelectiveStep(op)))
        return signalPassFailure();
  }
};

} // namespace
