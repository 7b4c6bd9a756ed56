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
  if (failed(checkGatedNormRank(op, "GPU")))
    return failure();
  if (threads == 0)
    threads = automaticThreads(op.getGroupSize());
  ImplicitLocOpBuilder b(op.getLoc(), op);
  GatedNormLayout layout = takeGatedNormLayout(b, op);
  Value count = indexConstant(b, layout.group),
        step = indexConstant(b, threads);

  emitBlockThreadNest(
      b, layout.grid, threads, [&](ValueRange ids, Value thread) {
        GatedNormGroup group(b, layout, ids, op);
        auto sum = scf::ForOp::create(b, thread, count, step,
                                      ValueRange{f32Constant(b, 0.0)});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(sum.getBody());
          Value g = group.gated(sum.getInductionVar());
          scf::YieldOp::create(b, ValueRange{math::FmaOp::create(
                                      b, g, g, sum.getRegionIterArg(0))});
        }
        Value scale =
            group.scale(emitBlockSum(b, sum.getResult(0), thread, threads));
        emitStridedLoop(b, thread, count, step, [&](Value i) {
          group.store(i, group.gated(i), scale);
        });
      });
  replaceWithBuffers(b, op, {layout.y});
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
