//===- TileEmbedding.cpp - mamba.embedding into one GPU kernel ------------===//
//
// A gather of whole table rows: one block per token copies its row with
// coalesced loads and stores. Ids are checked by the runtime before they
// reach the GPU; the kernel still clamps them into the table so that a bad
// id can never read outside it.
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

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILEEMBEDDING
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

LogicalResult tileEmbedding(EmbeddingOp op, int64_t threads) {
  auto idsType = cast<RankedTensorType>(op.getIds().getType());
  int64_t rank = idsType.getRank();
  if (rank > 2)
    return op.emitOpError() << "cannot tile: ids of rank " << rank
                            << " (at most two token dimensions map to the "
                               "kernel grid)";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Value ids = readOnlyBuffer(b, op.getIds());
  Value table = readOnlyBuffer(b, op.getTable());
  SmallVector<Value> sizes = bufferSizes(b, ids);
  Value features = memref::DimOp::create(b, table, 1);
  Value vocabulary = memref::DimOp::create(b, table, 0);
  SmallVector<Value> ySizes(sizes);
  ySizes.push_back(features);
  Value y = allocBuffer(b, op.getY().getType(), ySizes);

  SmallVector<OpFoldResult> grid;
  for (int64_t dim = rank - 1; dim >= 0; --dim)
    grid.push_back(sizes[dim]);
  if (grid.empty())
    grid.push_back(b.getIndexAttr(1));

  emitBlockThreadNest(b, grid, threads, [&](ValueRange blocks, Value thread) {
    // The grid's x is the last token dimension.
    SmallVector<Value> token;
    for (int64_t dim = 0; dim < rank; ++dim)
      token.push_back(blocks[rank - 1 - dim]);
    Value id = memref::LoadOp::create(b, ids, token);
    Value row = arith::IndexCastOp::create(b, b.getIndexType(), id);
    // Clamped in signed arithmetic: a negative id becomes row 0.
    row = arith::MaxSIOp::create(b, row, indexConstant(b, 0));
    row = arith::MinSIOp::create(
        b, row, arith::SubIOp::create(b, vocabulary, indexConstant(b, 1)));
    emitStridedLoop(
        b, thread, features, indexConstant(b, threads), [&](Value column) {
          Value value =
              memref::LoadOp::create(b, table, ValueRange{row, column});
          SmallVector<Value> at(token);
          at.push_back(column);
          memref::StoreOp::create(b, value, y, at);
        });
  });
  replaceWithBuffers(b, op, {y});
  return success();
}

struct MambaTileEmbeddingPass
    : mamba::impl::MambaTileEmbeddingBase<MambaTileEmbeddingPass> {
  using Base::Base;

  void runOnOperation() override {
    // 1 is the CPU target's block: one thread copies the row.
    if (threadsPerBlock != 1 &&
        (threadsPerBlock < 32 || threadsPerBlock > 1024)) {
      getOperation()->emitError()
          << "mamba-tile-embedding: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 1 (a CPU block) or between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<EmbeddingOp> ops;
    getOperation()->walk([&](EmbeddingOp op) { ops.push_back(op); });
    for (EmbeddingOp op : ops)
      if (failed(tileEmbedding(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
