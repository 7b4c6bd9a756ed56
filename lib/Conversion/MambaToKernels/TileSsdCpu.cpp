//===- TileSsdCpu.cpp - the Mamba-2 SSD scan as a host kernel ---------===//
//
// On a CPU core the per-step recurrence is the cheapest form of the SSD:
// per position and head, P x N multiply-adds for the state and as many for
// y = S C, where the chunked algorithm adds its C B^T products within each
// chunk (the GPU form, for tensor cores). A block is one thread per (head,
// sequence), so a 130m-shaped layer (24 heads) has 24 x b blocks for the
// cores; its [P, N] state lives in a stack buffer (32 KB at 64 x 128), a
// row of N states per channel as one vector. The decode step
// (mamba.ssd_state_update) is one position of the same, its state read
// from and written to the step's buffers.
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

/// The SSD's sizes must be static, the state lives on the stack and the N
/// states of a channel are one vector.
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
  auto rowType = VectorType::get({N}, f32);
  Value c0 = indexConstant(b, 0), c1 = indexConstant(b, 1),
        channels = indexConstant(b, P);

  emitBlockThreadNest(
      b, {b.getIndexAttr(H), sizes[0]}, /*threads=*/1,
      [&](ValueRange ids, Value) {
        Value h = ids[0], batch = ids[1];
        Value state = memref::AllocaOp::create(b, MemRefType::get({P, N}, f32));
        Value zeros =
            vector::BroadcastOp::create(b, rowType, f32Constant(b, 0.0));
        auto resetState = [&] {
          emitFor(b, channels, [&](Value p) {
            vector::StoreOp::create(b, zeros, state, ValueRange{p, c0});
          });
        };
        emitFor(b, channels, [&](Value p) {
          Value init = h0 ? readF32Vector(b, h0, {batch, h, p, c0}, N) : zeros;
          vector::StoreOp::create(b, init, state, ValueRange{p, c0});
        });
        Value group = arith::DivUIOp::create(b, h, indexConstant(b, H / G));
        Value a = memref::LoadOp::create(b, A, ValueRange{h});
        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();
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
          Value bRow = readF32Vector(b, Bm, {batch, t, group, c0}, N);
          Value cRow = readF32Vector(b, Cm, {batch, t, group, c0}, N);
          emitFor(b, channels, [&](Value p) {
            Value xv = toF32(
                b, memref::LoadOp::create(b, x, ValueRange{batch, t, h, p}));
            Value s =
                vector::LoadOp::create(b, rowType, state, ValueRange{p, c0});
            auto [next, out] =
                emitChannelStep(b, s, step, xv, decay, bRow, cRow);
            vector::StoreOp::create(b, next, state, ValueRange{p, c0});
            Value gate = z ? toF32(b, memref::LoadOp::create(
                                          b, z, ValueRange{batch, t, h, p}))
                           : Value();
            out = emitSkipAndGate(b, out, xv, D, h, p, gate);
            memref::StoreOp::create(b, fromF32(b, out, element), y,
                                    ValueRange{batch, t, h, p});
          });
        });
        if (finalStates)
          emitFor(b, channels, [&](Value p) {
            Value s =
                vector::LoadOp::create(b, rowType, state, ValueRange{p, c0});
            vector::TransferWriteOp::create(b, s, finalStates,
                                            ValueRange{batch, h, p, c0},
                                            ArrayRef<bool>{true});
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
