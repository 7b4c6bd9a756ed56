//===- TileSsdCpu.cpp - the Mamba-2 SSD scan as a host kernel ---------===//
//
// On a CPU core the per-step recurrence is the cheapest form of the SSD:
// per position and head, P x N multiply-adds for the state and as many for
// y = S C, where the chunked algorithm adds its C B^T products within each
// chunk (the GPU form, for tensor cores). A block is one thread per (head,
// sequence), so a 130m-shaped layer (24 heads) has 24 x b blocks for the
// cores. Its state lives in a stack buffer (32 KB at 64 x 128) as N rows
// of the P channels: per state n, one vector multiply (the decay) and two
// FMAs ((dt x) B_n, and y += row C_n) cover every channel, and x, z and y
// move as vectors. Keeping a channel's N states as the vector instead
// needs a sum across the vector per channel for y: 2.4x slower at the
// 130m shape (bench/RESULTS.md). The decode step
// (mamba.ssd_state_update) is one position of the recurrence on the
// step's [b, H, P, N] state buffers, a channel's N states a vector.
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
#define GEN_PASS_DEF_MAMBATILESSDCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// A head's state lives on the thread's stack: at most 256 KB of f32.
constexpr int64_t kMaxStateElements = 65536;

/// The SSD's sizes must be static: the state lives on the stack, a row of
/// it (one state of the head's P channels) is one vector.
LogicalResult checkStaticSizes(Operation *op, int64_t H, int64_t P, int64_t G,
                               int64_t N) {
  if (!ShapedType::isDynamic(H) && !ShapedType::isDynamic(P) &&
      !ShapedType::isDynamic(G) && !ShapedType::isDynamic(N)) {
    if (P * N <= kMaxStateElements)
      return success();
    return op->emitOpError()
           << "cannot tile for the CPU: a head's state of P x N = " << P
           << " x " << N << " is more than the " << kMaxStateElements
           << " values a thread keeps on its stack";
  }
  auto size = [](int64_t n) {
    return ShapedType::isDynamic(n) ? std::string("?") : std::to_string(n);
  };
  return op->emitOpError()
         << "needs static heads, head dimension, groups and state size on "
            "the CPU (H, P, G, N = "
         << size(H) << ", " << size(P) << ", " << size(G) << ", " << size(N)
         << ")";
}

/// One channel's row of states advanced by a position, decay s + (dt x) B,
/// and y = s . C before the skip and the gate.
std::pair<Value, Value> emitChannelStep(ImplicitLocOpBuilder &b, Value s,
                                        Value step, Value x, Value decay,
                                        Value bRow, Value cRow) {
  auto rowType = cast<VectorType>(s.getType());
  Value input = vector::BroadcastOp::create(b, rowType,
                                            arith::MulFOp::create(b, step, x));
  Value next =
      vector::FMAOp::create(b, input, bRow, arith::MulFOp::create(b, decay, s));
  // reassoc: a tree of vector adds. Without it LLVM keeps the sum's
  // order, N dependent scalar adds per channel: most of the kernel's time.
  Value out = vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                          arith::MulFOp::create(b, next, cRow),
                                          arith::FastMathFlags::reassoc);
  return {next, out};
}

/// A channel-major copy of one position's B or C row ([N] f32 on the
/// stack), so that the state loop broadcasts each state's value with one
/// load.
void stageRow(ImplicitLocOpBuilder &b, Value row, Value source,
              ValueRange indices, int64_t N) {
  vector::StoreOp::create(b, readF32Vector(b, source, indices, N), row,
                          ValueRange{indexConstant(b, 0)});
}

LogicalResult tileSsdScan(SsdScanOp op) {
  auto [H, P, G, N] = ssdSizes(op);
  if (failed(checkStaticSizes(op, H, P, G, N)))
    return failure();

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  FloatType f32 = b.getF32Type();
  auto [x, dt, A, Bm, Cm, D, z, dtBias, h0, seq, y, finalStates, sizes] =
      takeSsdScanBuffers(b, op, N); // sizes: b, L, H, P
  const bool precise = element.isF32();
  // A row of the state is one state n of every channel: the head's P
  // channels are the vector, so that x, z and y move as vectors and y
  // accumulates with FMAs (no sum across a vector per channel).
  auto rowType = VectorType::get({P}, f32);
  Value c0 = indexConstant(b, 0), c1 = indexConstant(b, 1),
        channels = indexConstant(b, P), states = indexConstant(b, N);
  auto stackArray = [&](ArrayRef<int64_t> shape) {
    return memref::AllocaOp::create(b, MemRefType::get(shape, f32),
                                    /*alignment=*/b.getI64IntegerAttr(64));
  };

  emitBlockThreadNest(
      b, {b.getIndexAttr(H), sizes[0]}, /*threads=*/1,
      [&](ValueRange ids, Value) {
        Value h = ids[0], batch = ids[1];
        Value state = stackArray({N, P});
        Value bRow = stackArray({N}), cRow = stackArray({N});
        Value zeros =
            vector::BroadcastOp::create(b, rowType, f32Constant(b, 0.0));
        auto resetState = [&] {
          emitFor(b, states, [&](Value n) {
            vector::StoreOp::create(b, zeros, state, ValueRange{n, c0});
          });
        };
        resetState();
        // The initial and final states are [P, N] in memory: transposed
        // element by element, once per sequence.
        if (h0)
          emitFor(b, channels, [&](Value p) {
            emitFor(b, states, [&](Value n) {
              memref::StoreOp::create(
                  b, memref::LoadOp::create(b, h0, ValueRange{batch, h, p, n}),
                  state, ValueRange{n, p});
            });
          });
        Value group = arith::DivUIOp::create(b, h, indexConstant(b, H / G));
        Value a = memref::LoadOp::create(b, A, ValueRange{h});
        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();
        Value skip;
        if (D)
          skip =
              cast<MemRefType>(D.getType()).getRank() == 2
                  ? readF32Vector(b, D, {h, c0}, P)
                  : vector::BroadcastOp::create(
                        b, rowType, memref::LoadOp::create(b, D, ValueRange{h}))
                        .getResult();
        emitFor(b, sizes[1], [&](Value t) {
          if (seq) {
            // Where seq_idx changes, a new sequence starts from zero.
            Value first =
                arith::CmpIOp::create(b, arith::CmpIPredicate::eq, t, c0);
            Value previous = arith::SelectOp::create(
                b, first, c0, arith::SubIOp::create(b, t, c1));
            Value changed = arith::CmpIOp::create(
                b, arith::CmpIPredicate::ne,
                memref::LoadOp::create(b, seq, ValueRange{batch, t}),
                memref::LoadOp::create(b, seq, ValueRange{batch, previous}));
            emitIf(b, changed, resetState);
          }
          Value step = emitStep(
              b, op, memref::LoadOp::create(b, dt, ValueRange{batch, t, h}),
              bias, precise);
          Value decay = vector::BroadcastOp::create(
              b, rowType,
              math::ExpOp::create(b, arith::MulFOp::create(b, step, a)));
          stageRow(b, bRow, Bm, {batch, t, group, c0}, N);
          stageRow(b, cRow, Cm, {batch, t, group, c0}, N);
          Value xv = readF32Vector(b, x, {batch, t, h, c0}, P);
          Value input = arith::MulFOp::create(
              b, vector::BroadcastOp::create(b, rowType, step), xv);
          // Per state n: s = decay s + (dt x) B_n; y += s C_n.
          auto loop = scf::ForOp::create(b, c0, states, c1, ValueRange{zeros});
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(loop.getBody());
            Value n = loop.getInductionVar();
            auto broadcastAt = [&](Value row) {
              return vector::BroadcastOp::create(
                  b, rowType, memref::LoadOp::create(b, row, ValueRange{n}));
            };
            Value s =
                vector::LoadOp::create(b, rowType, state, ValueRange{n, c0});
            Value next =
                vector::FMAOp::create(b, input, broadcastAt(bRow),
                                      arith::MulFOp::create(b, decay, s));
            vector::StoreOp::create(b, next, state, ValueRange{n, c0});
            scf::YieldOp::create(b, ValueRange{vector::FMAOp::create(
                                        b, next, broadcastAt(cRow),
                                        loop.getRegionIterArgs()[0])});
          }
          Value out = loop.getResult(0);
          if (skip)
            out = vector::FMAOp::create(b, skip, xv, out);
          if (z)
            out = arith::MulFOp::create(
                b, out, emitSilu(b, readF32Vector(b, z, {batch, t, h, c0}, P)));
          vector::TransferWriteOp::create(b, fromF32(b, out, element), y,
                                          ValueRange{batch, t, h, c0},
                                          ArrayRef<bool>{true});
        });
        if (finalStates)
          emitFor(b, channels, [&](Value p) {
            emitFor(b, states, [&](Value n) {
              memref::StoreOp::create(
                  b, memref::LoadOp::create(b, state, ValueRange{n, p}),
                  finalStates, ValueRange{batch, h, p, n});
            });
          });
      });
  SmallVector<Value> buffers = {y};
  if (finalStates)
    buffers.push_back(finalStates);
  replaceWithBuffers(b, op, buffers);
  return success();
}

LogicalResult tileSsdStateUpdate(SsdStateUpdateOp op) {
  auto [H, P, G, N] = ssdSizes(op);
  if (failed(checkStaticSizes(op, H, P, G, N)))
    return failure();

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  auto [state, x, dt, A, Bm, Cm, D, z, dtBias, y, newState, sizes] =
      takeSsdStepBuffers(b, op, N); // sizes: b, H, P
  Value c0 = indexConstant(b, 0);
  auto rowType = VectorType::get({N}, b.getF32Type());

  emitBlockThreadNest(
      b, {b.getIndexAttr(H), sizes[0]}, /*threads=*/1,
      [&](ValueRange ids, Value) {
        Value h = ids[0], batch = ids[1];
        Value group = arith::DivUIOp::create(b, h, indexConstant(b, H / G));
        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();
        Value step =
            emitStep(b, op, memref::LoadOp::create(b, dt, ValueRange{batch, h}),
                     bias, element.isF32());
        Value a = memref::LoadOp::create(b, A, ValueRange{h});
        Value decay = vector::BroadcastOp::create(
            b, rowType,
            math::ExpOp::create(b, arith::MulFOp::create(b, step, a)));
        Value bRow = readF32Vector(b, Bm, {batch, group, c0}, N);
        Value cRow = readF32Vector(b, Cm, {batch, group, c0}, N);
        emitFor(b, indexConstant(b, P), [&](Value p) {
          Value xv =
              toF32(b, memref::LoadOp::create(b, x, ValueRange{batch, h, p}));
          Value s = readF32Vector(b, state, {batch, h, p, c0}, N);
          auto [next, out] = emitChannelStep(b, s, step, xv, decay, bRow, cRow);
          vector::TransferWriteOp::create(b, next, newState,
                                          ValueRange{batch, h, p, c0},
                                          ArrayRef<bool>{true});
          Value gate =
              z ? toF32(b,
                        memref::LoadOp::create(b, z, ValueRange{batch, h, p}))
                : Value();
          out = emitSkipAndGate(b, out, xv, D, h, p, gate);
          memref::StoreOp::create(b, fromF32(b, out, element), y,
                                  ValueRange{batch, h, p});
        });
      });
  replaceWithBuffers(b, op, {y, newState});
  return success();
}

struct MambaTileSsdCpuPass
    : mamba::impl::MambaTileSsdCpuBase<MambaTileSsdCpuPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<SsdScanOp, SsdStateUpdateOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult tiled =
          isa<SsdScanOp>(op) ? tileSsdScan(cast<SsdScanOp>(op))
                             : tileSsdStateUpdate(cast<SsdStateUpdateOp>(op));
      if (failed(tiled))
        return signalPassFailure();
    }
  }
};

} // namespace
