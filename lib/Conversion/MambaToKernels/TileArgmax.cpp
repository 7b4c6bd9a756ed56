//===- TileArgmax.cpp - mamba.argmax into one GPU kernel ------------------===//
//
// Greedy decoding needs only the index of each row's largest logit; picking
// it on the GPU sends the host b ids instead of b x V logits (at b = 16 and a
// 50280-token vocabulary, 64 bytes instead of 1.6 MB, and no conversion
// loop on the host).
//
// One block per row. A row is a few hundred KB, read once: each thread walks
// it in 16-byte vectors with 32 elements in flight per loop trip (a trip
// costs one memory latency, so the trip count is what matters), keeping
// the best (value, index) it has seen. The order is that of torch.argmax:
// a larger value wins, NaN beats every number, and among equals the lower
// index wins, which also makes the result independent of how the row is
// split among threads. Warps combine their threads' pairs with shuffles;
// every warp then combines the warps' pairs from shared memory, and the
// first thread stores the id.
//
//===----------------------------------------------------------------------===//

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILEARGMAX
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Elements each thread has in flight per trip through the row.
constexpr int64_t kElementsPerTrip = 32;

/// A candidate: its value in f32 and its index along the row (i32).
struct Candidate {
  Value value, index;
};

/// Whether `a` comes before `b` in torch.argmax's order.
Value isBetter(ImplicitLocOpBuilder &b, Candidate a, Candidate c) {
  using P = arith::CmpFPredicate;
  Value aNan = arith::CmpFOp::create(b, P::UNO, a.value, a.value);
  Value cNan = arith::CmpFOp::create(b, P::UNO, c.value, c.value);
  Value greater = arith::CmpFOp::create(b, P::OGT, a.value, c.value);
  // Equal, or both NaN: the lower index.
  Value same = arith::OrIOp::create(
      b, arith::CmpFOp::create(b, P::OEQ, a.value, c.value),
      arith::AndIOp::create(b, aNan, cNan));
  Value lower =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, a.index, c.index);
  Value nanWins = arith::AndIOp::create(
      b, aNan,
      arith::XOrIOp::create(b, cNan, arith::ConstantIntOp::create(b, 1, 1)));
  return arith::OrIOp::create(b, arith::OrIOp::create(b, greater, nanWins),
                              arith::AndIOp::create(b, same, lower));
}

Candidate select(ImplicitLocOpBuilder &b, Value take, Candidate a,
                 Candidate c) {
  return {arith::SelectOp::create(b, take, a.value, c.value),
          arith::SelectOp::create(b, take, a.index, c.index)};
}

/// `challenger` where it is better than `best`.
Candidate keepBetter(ImplicitLocOpBuilder &b, Candidate best,
                     Candidate challenger) {
  return select(b, isBetter(b, challenger, best), challenger, best);
}

/// The scan of one thread, 8 instructions an element rather than the
/// full order's 14: a value replaces the best only when strictly larger
/// or the first NaN, so of equal values the first seen stays. A thread
/// may see a vector twice (the clamped one past the end of the row), but
/// always with its true indices, and the lower index among equal values
/// is settled between threads, so the result is still torch's.
Candidate keepLarger(ImplicitLocOpBuilder &b, Candidate best, Candidate c) {
  using P = arith::CmpFPredicate;
  Value take = arith::OrIOp::create(
      b, arith::CmpFOp::create(b, P::OGT, c.value, best.value),
      arith::AndIOp::create(
          b, arith::CmpFOp::create(b, P::UNO, c.value, c.value),
          arith::CmpFOp::create(b, P::ORD, best.value, best.value)));
  return select(b, take, c, best);
}

/// The best candidate of the whole warp, in every lane.
Candidate warpBest(ImplicitLocOpBuilder &b, Candidate best) {
  for (int64_t offset = kWarpSize / 2; offset >= 1; offset /= 2) {
    auto shuffle = [&](Value v) {
      return gpu::ShuffleOp::create(b, v, offset, kWarpSize,
                                    gpu::ShuffleMode::XOR)
          .getShuffleResult();
    };
    best = keepBetter(b, best, {shuffle(best.value), shuffle(best.index)});
  }
  return best;
}

/// The most elements of `element` up to 16 bytes that divide `n`, or 1.
int64_t vectorWidth(int64_t n, Type element) {
  if (ShapedType::isDynamic(n))
    return 1;
  const int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  for (int64_t width = 16 / bytes; width > 1; width /= 2)
    if (n % width == 0)
      return width;
  return 1;
}

MemRefType workgroupArray(Type element, int64_t size) {
  auto workgroup = gpu::AddressSpaceAttr::get(
      element.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  return MemRefType::get({size}, element, MemRefLayoutAttrInterface(),
                         workgroup);
}

LogicalResult tileArgmax(ArgmaxOp op, int64_t threads) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  const int64_t rank = xType.getRank() - 1;
  if (rank > 2)
    return op.emitOpError() << "cannot tile: " << rank
                            << " leading dimensions (at most two map to the "
                               "kernel grid)";
  const int64_t staticV = xType.getDimSize(rank);
  if (!ShapedType::isDynamic(staticV) &&
      staticV > std::numeric_limits<int32_t>::max())
    return op.emitOpError()
           << "cannot tile: V = " << staticV << " does not fit the i32 ids";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = xType.getElementType();
  Type i32 = b.getI32Type();
  Value x = readOnlyBuffer(b, op.getX());
  SmallVector<Value> sizes = bufferSizes(b, x);
  Value V = sizes.back();
  sizes.pop_back();
  Value ids = allocBuffer(b, op.getIds().getType(), sizes);

  SmallVector<OpFoldResult> grid;
  for (int64_t dim = rank - 1; dim >= 0; --dim)
    grid.push_back(sizes[dim]);
  if (grid.empty())
    grid.push_back(b.getIndexAttr(1));

  const int64_t width = vectorWidth(staticV, element);
  const int64_t vectors = std::max<int64_t>(1, kElementsPerTrip / width);
  const int64_t warps = threads / kWarpSize;
  emitBlockThreadNest(b, grid, threads, [&](ValueRange blocks, Value thread) {
    SmallVector<Value> row;
    for (int64_t dim = 0; dim < rank; ++dim)
      row.push_back(blocks[rank - 1 - dim]);

    // Trip t, vector q of thread i starts at ((t * vectors + q) * threads +
    // i) * width: neighbouring threads read neighbouring vectors.
    const int64_t perTrip = threads * width * vectors;
    Value trips = arith::CeilDivUIOp::create(b, V, indexConstant(b, perTrip));
    Value lastStart = arith::SubIOp::create(b, V, indexConstant(b, width));
    Candidate init{f32Constant(b, -std::numeric_limits<double>::infinity()),
                   arith::ConstantIntOp::create(
                       b, i32, std::numeric_limits<int32_t>::max())};
    auto loop =
        scf::ForOp::create(b, indexConstant(b, 0), trips, indexConstant(b, 1),
                           ValueRange{init.value, init.index});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value trip = loop.getInductionVar();
      Candidate best{loop.getRegionIterArgs()[0], loop.getRegionIterArgs()[1]};
      // All of a trip's loads first, so that they are in flight together.
      SmallVector<Value> starts, loaded;
      for (int64_t q = 0; q < vectors; ++q) {
        Value slot = arith::AddIOp::create(
            b, arith::MulIOp::create(b, trip, indexConstant(b, vectors)),
            indexConstant(b, q));
        Value start = arith::MulIOp::create(
            b,
            arith::AddIOp::create(
                b, arith::MulIOp::create(b, slot, indexConstant(b, threads)),
                thread),
            indexConstant(b, width));
        // Past the end: the last vector again (see keepLarger).
        Value at = arith::MinUIOp::create(b, start, lastStart);
        SmallVector<Value> indices(row);
        indices.push_back(at);
        loaded.push_back(vector::LoadOp::create(
            b, VectorType::get({width}, element), x, indices,
            /*nontemporal=*/false,
            llvm::MaybeAlign(width * element.getIntOrFloatBitWidth() / 8)));
        starts.push_back(at);
      }
      for (auto [vector, start] : llvm::zip(loaded, starts)) {
        Value values = toF32(b, vector);
        Value first = arith::IndexCastOp::create(b, i32, start);
        for (int64_t k = 0; k < width; ++k) {
          Candidate c{vector::ExtractOp::create(b, values, k),
                      arith::AddIOp::create(
                          b, first, arith::ConstantIntOp::create(b, i32, k))};
          best = keepLarger(b, best, c);
        }
      }
      scf::YieldOp::create(b, ValueRange{best.value, best.index});
    }
    Candidate best{loop.getResult(0), loop.getResult(1)};
    // One thread per block (the CPU target's) has seen the whole row.
    if (threads == 1) {
      Value none = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                         best.index, init.index);
      Value id = arith::SelectOp::create(
          b, none, arith::ConstantIntOp::create(b, i32, 0), best.index);
      memref::StoreOp::create(b, id, ids, row);
      return;
    }
    best = warpBest(b, best);

    Value values =
        memref::AllocOp::create(b, workgroupArray(b.getF32Type(), warps));
    Value indices = memref::AllocOp::create(b, workgroupArray(i32, warps));
    Value lane = arith::RemUIOp::create(b, thread, indexConstant(b, kWarpSize));
    Value warp = arith::DivUIOp::create(b, thread, indexConstant(b, kWarpSize));
    auto isZero = [&](Value v) {
      return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, v,
                                   indexConstant(b, 0));
    };
    emitIf(b, isZero(lane), [&] {
      memref::StoreOp::create(b, best.value, values, ValueRange{warp});
      memref::StoreOp::create(b, best.index, indices, ValueRange{warp});
    });
    gpu::BarrierOp::create(b);
    // Every warp reduces the warps' pairs (lanes past them repeat the last:
    // a repeated candidate cannot change the best), the first thread stores.
    Value slot = arith::MinUIOp::create(b, lane, indexConstant(b, warps - 1));
    best = warpBest(b, {memref::LoadOp::create(b, values, ValueRange{slot}),
                        memref::LoadOp::create(b, indices, ValueRange{slot})});
    // Still the initial index: no element was above -inf or NaN, so all
    // are -inf and the first is the answer.
    Value none = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, best.index,
                                       init.index);
    Value id = arith::SelectOp::create(
        b, none, arith::ConstantIntOp::create(b, i32, 0), best.index);
    emitIf(b, isZero(thread),
           [&] { memref::StoreOp::create(b, id, ids, row); });
  });
  replaceWithBuffers(b, op, {ids});
  return success();
}

struct MambaTileArgmaxPass
    : mamba::impl::MambaTileArgmaxBase<MambaTileArgmaxPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock != 1 &&
        (threadsPerBlock < kWarpSize || threadsPerBlock > 1024 ||
         threadsPerBlock % kWarpSize != 0)) {
      getOperation()->emitError()
          << "mamba-tile-argmax: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 1 (a CPU block) or a multiple of 32 between 32 and "
             "1024";
      return signalPassFailure();
    }
    SmallVector<ArgmaxOp> ops;
    getOperation()->walk([&](ArgmaxOp op) { ops.push_back(op); });
    for (ArgmaxOp op : ops)
      if (failed(tileArgmax(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
