//===- PromoteScanOperands.cpp - stage shared tiles in shared memory ------===//
//
// Every channel of a GPU block reads the same chunk of B and C. Read from
// global memory, each of those reads is a strided gather repeated by every
// thread; staged once per chunk in shared memory, transposed so a thread's
// states are contiguous and widened to f32 once, each read becomes a
// broadcast vector load. The copy is spread over the block's threads, with a
// barrier before it (nobody still reads the previous chunk) and one after
// (everybody sees the new one).
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAPROMOTESCANOPERANDS
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

constexpr StringLiteral kPromoteAttr = "mamba.promote";

bool isMappedTo(scf::ForallOp loop, bool threads) {
  std::optional<ArrayAttr> mapping = loop.getMapping();
  if (!mapping || mapping->empty())
    return false;
  return threads ? isa<gpu::GPUThreadMappingAttr>((*mapping)[0])
                 : isa<gpu::GPUBlockMappingAttr>((*mapping)[0]);
}

/// A static upper bound of a tile size: a constant, or the constant operand
/// of the `min` that clamps a tail.
std::optional<int64_t> staticUpperBound(OpFoldResult size) {
  if (std::optional<int64_t> constant = getConstantIntValue(size))
    return constant;
  Operation *def = cast<Value>(size).getDefiningOp();
  if (!isa_and_nonnull<arith::MinUIOp, arith::MinSIOp>(def))
    return std::nullopt;
  std::optional<int64_t> lhs = getConstantIntValue(def->getOperand(0));
  std::optional<int64_t> rhs = getConstantIntValue(def->getOperand(1));
  if (lhs && rhs)
    return std::min(*lhs, *rhs);
  return lhs ? lhs : rhs;
}

/// One marked subview and what its promotion needs.
struct Promotion {
  memref::SubViewOp subview;
  SmallVector<vector::TransferReadOp> reads;
  int64_t rows, cols; // static bounds of the [rows, cols] tile
  bool widen;         // every read is extended to f32 right away
};

FailureOr<Promotion> analyze(memref::SubViewOp subview) {
  Promotion p{subview, {}, 0, 0, false};
  MemRefType type = subview.getType();
  if (type.getRank() != 2)
    return subview.emitOpError()
           << "marked for promotion must be a rank-2 tile, got " << type;
  SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
  // The rank-reduced result keeps the two non-unit sizes, in order.
  SmallVector<OpFoldResult> kept;
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  for (auto [i, size] : llvm::enumerate(sizes))
    if (!dropped.test(i))
      kept.push_back(size);
  std::optional<int64_t> rows = staticUpperBound(kept[0]);
  std::optional<int64_t> cols = staticUpperBound(kept[1]);
  if (!rows || !cols)
    return subview.emitOpError()
           << "marked for promotion needs static bounds on its sizes";
  p.rows = *rows;
  p.cols = *cols;

  bool allWidened = true;
  for (Operation *user : subview->getUsers()) {
    auto read = dyn_cast<vector::TransferReadOp>(user);
    if (!read || read.getVectorType().getRank() != 1 || read.getMask())
      return user->emitOpError()
             << "reads a tile marked for promotion; only unmasked 1-D "
                "vector.transfer_read can be redirected to shared memory";
    p.reads.push_back(read);
    for (Operation *readUser : read->getUsers()) {
      auto ext = dyn_cast<arith::ExtFOp>(readUser);
      allWidened &= ext && getElementTypeOrSelf(ext.getType()).isF32();
    }
  }
  p.widen = allWidened && !p.reads.empty() &&
            !type.getElementType().isF32();
  return p;
}

/// Stages all promotions of one block of ops: a barrier, the copies, a
/// barrier, then the reads redirected to the shared buffers.
LogicalResult promoteGroup(MutableArrayRef<Promotion> group, scf::ForallOp threads,
                           scf::ForallOp blocks) {
  std::optional<SmallVector<int64_t>> threadCounts =
      getConstantIntValues(threads.getMixedUpperBound());
  if (!threadCounts || threads.getRank() != 1)
    return threads.emitOpError()
           << "must be a 1-D thread loop with a static size to distribute "
              "copies over";
  int64_t threadCount = (*threadCounts)[0];
  Value thread = threads.getInductionVar(0);

  // Shared buffers are allocated once per block, before the thread loop.
  SmallVector<Value> buffers;
  for (Promotion &p : group) {
    OpBuilder b(blocks.getBody(), blocks.getBody()->begin());
    Type element = p.widen ? b.getF32Type()
                           : p.subview.getType().getElementType();
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    // Transposed: [cols][rows], so reading along rows is contiguous.
    auto type = MemRefType::get({p.cols, p.rows}, element,
                                MemRefLayoutAttrInterface(), workgroup);
    buffers.push_back(memref::AllocOp::create(
        b, p.subview.getLoc(), type, b.getI64IntegerAttr(16)));
  }

  Operation *last = group.back().subview;
  ImplicitLocOpBuilder b(last->getLoc(), last->getContext());
  b.setInsertionPointAfter(last);
  gpu::BarrierOp::create(b);
  for (auto [p, buffer] : llvm::zip(group, buffers)) {
    Value total = arith::ConstantIndexOp::create(b, p.rows * p.cols);
    Value step = arith::ConstantIndexOp::create(b, threadCount);
    Value cols = arith::ConstantIndexOp::create(b, p.cols);
    Value validCols =
        memref::DimOp::create(b, p.subview, 1); // the tail chunk is shorter
    Value validRows = memref::DimOp::create(b, p.subview, 0);
    auto loop = scf::ForOp::create(b, thread, total, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    // Columns vary fastest so consecutive threads read consecutive
    // timesteps of one state: coalesced global loads.
    Value index = loop.getInductionVar();
    Value row = arith::DivUIOp::create(b, index, cols);
    Value col = arith::RemUIOp::create(b, index, cols);
    Value inCol = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col,
                                        validCols);
    Value inRow = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                        validRows);
    Value inside = arith::AndIOp::create(b, inCol, inRow);
    Type element = cast<MemRefType>(buffer.getType()).getElementType();
    auto ifInside = scf::IfOp::create(b, TypeRange{element}, inside,
                                      /*addThenBlock=*/true,
                                      /*addElseBlock=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(ifInside.thenBlock());
      Value value = memref::LoadOp::create(b, p.subview, ValueRange{row, col});
      if (p.widen)
        value = arith::ExtFOp::create(b, element, value);
      scf::YieldOp::create(b, value);
      b.setInsertionPointToStart(ifInside.elseBlock());
      // Zeros past the end: the tiled scan zeroes dt there too.
      scf::YieldOp::create(
          b, ValueRange{arith::ConstantOp::create(b, b.getZeroAttr(element))});
    }
    memref::StoreOp::create(b, ifInside.getResult(0), buffer,
                            ValueRange{col, row});
  }
  gpu::BarrierOp::create(b);

  // Redirect the reads: indices and permutation swap with the layout.
  for (auto [p, buffer] : llvm::zip(group, buffers)) {
    for (vector::TransferReadOp read : p.reads) {
      OpBuilder rb(read);
      AffineMap map = read.getPermutationMap();
      AffineMap swap = AffineMap::getPermutationMap(
          ArrayRef<unsigned>{1, 0}, rb.getContext());
      AffineMap transposed = map.compose(swap);
      SmallVector<Value> indices = {read.getIndices()[1],
                                    read.getIndices()[0]};
      VectorType vectorType = read.getVectorType();
      Type element = cast<MemRefType>(buffer.getType()).getElementType();
      Value pad = arith::ConstantOp::create(rb, read.getLoc(),
                                            rb.getZeroAttr(element));
      auto newRead = vector::TransferReadOp::create(
          rb, read.getLoc(), vectorType.clone(element), buffer, indices, pad,
          transposed, read.getInBoundsValues());
      if (p.widen) {
        for (Operation *user : llvm::make_early_inc_range(read->getUsers())) {
          user->getResult(0).replaceAllUsesWith(newRead);
          user->erase();
        }
      } else {
        read.getResult().replaceAllUsesWith(newRead);
      }
      read.erase();
    }
    p.subview->removeAttr(kPromoteAttr);
  }
  return success();
}

struct MambaPromoteScanOperandsPass
    : mamba::impl::MambaPromoteScanOperandsBase<MambaPromoteScanOperandsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Group the marked subviews by the block of ops they sit in, so that the
    // copies of one chunk share their two barriers.
    llvm::MapVector<Block *, SmallVector<memref::SubViewOp>> groups;
    getOperation()->walk([&](memref::SubViewOp subview) {
      if (subview->hasAttr(kPromoteAttr))
        groups[subview->getBlock()].push_back(subview);
    });
    for (auto &[block, subviews] : groups) {
      auto threads = subviews.front()->getParentOfType<scf::ForallOp>();
      while (threads && !isMappedTo(threads, /*threads=*/true))
        threads = threads->getParentOfType<scf::ForallOp>();
      auto blocks =
          threads ? threads->getParentOfType<scf::ForallOp>() : nullptr;
      if (!threads || !blocks || !isMappedTo(blocks, /*threads=*/false)) {
        subviews.front().emitOpError()
            << "marked for promotion must sit in a thread loop inside a "
               "block loop";
        return signalPassFailure();
      }
      SmallVector<Promotion> promotions;
      for (memref::SubViewOp subview : subviews) {
        FailureOr<Promotion> p = analyze(subview);
        if (failed(p))
          return signalPassFailure();
        promotions.push_back(*p);
      }
      if (failed(promoteGroup(promotions, threads, blocks)))
        return signalPassFailure();
    }
  }
};

} // namespace
