//===- TileRmsNormGatedCpu.cpp - Mamba-2's gated norm as a host kernel ----===//
//
// A block is one thread per (row, group of features): it gates the group's
// features, x * silu(z), into a stack buffer while summing their squares,
// then writes them scaled by the group's 1 / rms and the weight. A group
// (d_inner / n_groups features, a few hundred to a few thousand) is read
// once from memory and once from L1.
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

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILERMSNORMGATEDCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// A group's gated features live on the thread's stack: at most 256 KB.
constexpr int64_t kMaxGroup = 65536;

LogicalResult tileRmsNormGated(RmsNormGatedOp op) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  const int64_t rank = xType.getRank();
  // Rows map to the grid's y and z dimensions, groups to x.
  if (rank < 2 || rank > 3)
    return op.emitOpError() << "cannot tile for the CPU: rank " << rank
                            << ", expected [rows, F] or [b, L, F]";
  const int64_t group = op.getGroupSize();
  if (group > kMaxGroup)
    return op.emitOpError() << "cannot tile for the CPU: group_size = " << group
                            << " is more than the " << kMaxGroup
                            << " features a thread keeps on its stack";
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
  Value c0 = indexConstant(b, 0), c1 = indexConstant(b, 1),
        count = indexConstant(b, group);
  const double eps = op.getEps().convertToDouble();

  emitBlockThreadNest(b, grid, /*threads=*/1, [&](ValueRange ids, Value) {
    SmallVector<Value> row;
    for (int64_t dim = 0; dim <= rank - 2; ++dim)
      row.push_back(ids[rank - 1 - dim]);
    Value first = arith::MulIOp::create(b, ids[0], count);
    auto at = [&](Value i) {
      SmallVector<Value> indices = row;
      indices.push_back(arith::AddIOp::create(b, first, i));
      return indices;
    };
    Value gated =
        memref::AllocaOp::create(b, MemRefType::get({group}, b.getF32Type()));
    auto loop =
        scf::ForOp::create(b, c0, count, c1, ValueRange{f32Constant(b, 0.0)});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value i = loop.getInductionVar();
      Value g = toF32(b, memref::LoadOp::create(b, x, at(i)));
      if (z)
        g = arith::MulFOp::create(
            b, g, emitSilu(b, toF32(b, memref::LoadOp::create(b, z, at(i)))));
      memref::StoreOp::create(b, g, gated, ValueRange{i});
      scf::YieldOp::create(b, ValueRange{math::FmaOp::create(
                                  b, g, g, loop.getRegionIterArg(0))});
    }
    Value mean = arith::DivFOp::create(b, loop.getResult(0),
                                       f32Constant(b, double(group)));
    Value scale = math::RsqrtOp::create(
        b, arith::AddFOp::create(b, mean, f32Constant(b, eps)));
    emitFor(b, count, [&](Value i) {
      Value w = toF32(
          b, memref::LoadOp::create(
                 b, weight, ValueRange{arith::AddIOp::create(b, first, i)}));
      Value out = arith::MulFOp::create(
          b,
          arith::MulFOp::create(
              b, memref::LoadOp::create(b, gated, ValueRange{i}), scale),
          w);
      memref::StoreOp::create(b, fromF32(b, out, element), y, at(i));
    });
  });
  replaceWithBuffers(b, op, {y});
  return success();
}

struct MambaTileRmsNormGatedCpuPass
    : mamba::impl::MambaTileRmsNormGatedCpuBase<MambaTileRmsNormGatedCpuPass> {
  void runOnOperation() override {
    SmallVector<RmsNormGatedOp> ops;
    getOperation()->walk([&](RmsNormGatedOp op) { ops.push_back(op); });
    for (RmsNormGatedOp op : ops)
      if (failed(tileRmsNormGated(op)))
        return signalPassFailure();
  }
};

} // namespace
