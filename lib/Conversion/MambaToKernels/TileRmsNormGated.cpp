//===- TileRmsNormGated.cpp - Mamba-2's gated norm as one GPU kernel ------===//
//
// A block per (row, group of features), as on the CPU, but its threads
// stride over the group: the first pass sums the squares of the gated
// features x * silu(z), which go through warp shuffles and one partial per
// warp in shared memory (emitBlockSum); the second gates again and writes
// them scaled by the group's 1 / rms and the weight. Recomputing the gate
// costs an exp per feature; keeping it would cost a pass through memory
// for groups (d_inner / n_groups, 1024 to 5120 features) too large for a
// thread's registers at the block sizes that keep an SM busy.
//
//===----------------------------------------------------------------------===//

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILERMSNORMGATED
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Whole warps, about four features a thread, 32 to 1024 threads.
int64_t automaticThreads(int64_t group) {
  return std::clamp<int64_t>(
      llvm::alignTo(llvm::divideCeil(group, 4), kWarpSize), kWarpSize, 1024);
}

LogicalResult tileRmsNormGated(RmsNormGatedOp op, int64_t threads) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  const int64_t rank = xType.getRank();
  // Rows map to the grid's y and z dimensions, groups to x.
  if (rank < 2 || rank > 3)
    return op.emitOpError() << "cannot tile for the GPU: rank " << rank
                            << ", expected [rows, F] or [b, L, F]";
  const int64_t group = op.getGroupSize();
  if (threads == 0)
    threads = automaticThreads(group);
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = xType.getElementType();
  Value x = readOnlyBuffer(b, op.getX()), z = readOnlyBuffer(b, op.getZ()),
        weight = readOnlyBuffer(b, op.getWeight());
  SmallVector<Value> sizes = bufferSizes(b, x);
  Value y = allocBuffer(b, op.getY().getType(), sizes);
  Value groups =
      arith::DivUIOp::create(b, sizes.back(), indexConstant(b, group));
  SmallVector<OpFoldResult> grid = {groups};
  for (int64_t dim = rank - 2; dim >= 0; --dim)
    grid.push_back(sizes[dim]);
  Value count = indexConstant(b, group), step = indexConstant(b, threads);
  const double eps = op.getEps().convertToDouble();

  emitBlockThreadNest(b, grid, threads, [&](ValueRange ids, Value thread) {
    SmallVector<Value> row;
    for (int64_t dim = 0; dim <= rank - 2; ++dim)
      row.push_back(ids[rank - 1 - dim]);
    Value first = arith::MulIOp::create(b, ids[0], count);
    auto at = [&](Value i) {
      SmallVector<Value> indices = row;
      indices.push_back(arith::AddIOp::create(b, first, i));
      return indices;
    };
    // x * silu(z) of feature i of the group, in f32.
    auto gated = [&](Value i) {
      Value g = toF32(b, memref::LoadOp::create(b, x, at(i)));
      if (!z)
        return g;
      return arith::MulFOp::create(
                 b, g,
                 emitSilu(b, toF32(b, memref::LoadOp::create(b, z, at(i)))))
          .getResult();
    };
    auto sum = scf::ForOp::create(b, thread, count, step,
                                  ValueRange{f32Constant(b, 0.0)});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(sum.getBody());
      Value g = gated(sum.getInductionVar());
      scf::YieldOp::create(
          b, ValueRange{math::FmaOp::create(b, g, g, sum.getRegionIterArg(0))});
    }
    Value total = emitBlockSum(b, sum.getResult(0), thread, threads);
    Value scale = math::RsqrtOp::create(
        b,
        arith::AddFOp::create(
            b, arith::DivFOp::create(b, total, f32Constant(b, double(group))),
            f32Constant(b, eps)));
    emitStridedLoop(b, thread, count, step, [&](Value i) {
      Value w = toF32(
          b, memref::LoadOp::create(
                 b, weight, ValueRange{arith::AddIOp::create(b, first, i)}));
      Value out = arith::MulFOp::create(
          b, arith::MulFOp::create(b, gated(i), scale), w);
      memref::StoreOp::create(b, fromF32(b, out, element), y, at(i));
    });
  });
  replaceWithBuffers(b, op, {y});
  return success();
}

struct MambaTileRmsNormGatedPass
    : mamba::impl::MambaTileRmsNormGatedBase<MambaTileRmsNormGatedPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock != 0 &&
        (threadsPerBlock < kWarpSize || threadsPerBlock > 1024 ||
         threadsPerBlock % kWarpSize != 0)) {
      getOperation()->emitError()
          << "mamba-tile-rms-norm-gated: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 0 (automatic) or a multiple of 32 between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<RmsNormGatedOp> ops;
    getOperation()->walk([&](RmsNormGatedOp op) { ops.push_back(op); });
    for (RmsNormGatedOp op : ops)
      if (failed(tileRmsNormGated(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
