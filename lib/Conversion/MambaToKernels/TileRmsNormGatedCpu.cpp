//===- TileRmsNormGatedCpu.cpp - Mamba-2's gated norm as a host kernel ----===//
//
// A block is one thread per (row, group of features): it gates the group's
// features, x * silu(z), into a stack buffer while summing their squares,
// then writes them scaled by the group's 1 / rms and the weight, all as
// vectors of up to 16 features (scalar, it ran at 6 GB/s). A group
// (d_inner / n_groups features, a few hundred to a few thousand) is read
// once from memory and once from L1.
//
//===----------------------------------------------------------------------===//

#include "GatedNormGroup.h"

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
#define GEN_PASS_DEF_MAMBATILERMSNORMGATEDCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// A group's gated features live on the thread's stack: at most 256 KB.
constexpr int64_t kMaxGroup = 65536;

LogicalResult tileRmsNormGated(RmsNormGatedOp op) {
  if (failed(checkGatedNormRank(op, "CPU")))
    return failure();
  const int64_t groupSize = op.getGroupSize();
  if (groupSize > kMaxGroup)
    return op.emitOpError()
           << "cannot tile for the CPU: group_size = " << groupSize
           << " is more than the " << kMaxGroup
           << " features a thread keeps on its stack";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  GatedNormLayout layout = takeGatedNormLayout(b, op);
  // Vectors of the widest of 16 (an AVX-512 register of f32), 8, 4, 2 or 1
  // features that divides the group.
  int64_t width = 16;
  while (width > 1 && groupSize % width != 0)
    width /= 2;
  auto vectorType = VectorType::get({width}, b.getF32Type());
  Value c0 = indexConstant(b, 0), step = indexConstant(b, width),
        count = indexConstant(b, groupSize);

  emitBlockThreadNest(
      b, layout.grid, /*threads=*/1, [&](ValueRange ids, Value) {
        GatedNormGroup group(b, layout, ids, op);
        Value gated = memref::AllocaOp::create(
            b, MemRefType::get({groupSize}, b.getF32Type()),
            /*alignment=*/b.getI64IntegerAttr(64));
        Value zeros =
            vector::BroadcastOp::create(b, vectorType, f32Constant(b, 0.0));
        auto loop = scf::ForOp::create(b, c0, count, step, ValueRange{zeros});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value i = loop.getInductionVar();
          Value g = group.gatedVector(i, width);
          vector::StoreOp::create(b, g, gated, ValueRange{i});
          scf::YieldOp::create(b, ValueRange{vector::FMAOp::create(
                                      b, g, g, loop.getRegionIterArg(0))});
        }
        Value squares = vector::ReductionOp::create(
            b, vector::CombiningKind::ADD, loop.getResult(0),
            arith::FastMathFlags::reassoc);
        Value scale = group.scale(squares);
        emitStridedLoop(b, c0, count, step, [&](Value i) {
          group.storeVector(
              i, vector::LoadOp::create(b, vectorType, gated, ValueRange{i}),
              scale, width);
        });
      });
  replaceWithBuffers(b, op, {layout.y});
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
