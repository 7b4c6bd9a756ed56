//===- TileRmsNorm.cpp - mamba.rms_norm into one GPU kernel ---------------===//
//
// One block per row: a row (a token's D features) is a few KB, which a block
// reads with coalesced loads, reduces with warp shuffles and one round
// through shared memory, and then normalizes. The residual add is fused in
// front, so a layer's norm reads the previous layer's output and the
// residual stream once and writes the new stream and the normalized
// activations once: the traffic of mamba_ssm's fused add-norm. A row of a
// static size keeps each thread's few columns in registers between the
// reduction and the normalization (one read of the row); longer or
// dynamic rows read the stream back from L1/L2.
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

#include "llvm/Support/MathExtras.h"

#include <algorithm>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILERMSNORM
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// The most columns per thread a row keeps in registers between the
/// reduction and the normalization; longer rows are read twice.
constexpr int64_t kRegisterColumns = 8;

/// Threads per row of a static row, in whole warps, 32 to 1024; 256 for a
/// dynamic one.
///
/// Rows of rank 1 or 2 (decode: a row per sequence) are a few blocks, too
/// few to fill the GPU, so each thread takes two features and its chain of
/// dependent loads stays short. Rows of rank 3 ([b, L, D], prefill) are
/// thousands of blocks, still one per row; what bounds them is how many
/// blocks an SM holds at once, and the barrier and partial sums each block
/// waits on. A thread per kRegisterColumns features (so a row of up to 8192
/// stays on the register path, read once) makes blocks up to four times
/// smaller, so more rows share an SM and one row's reduction overlaps
/// another's loads. Measured in an earlier session on an H200 (to be
/// re-measured): the 2.8b b=8 prefill's 63 layer norms took 9.83 ms instead
/// of 13.88 (320 threads per row of 2560 features instead of 1024), 130m b=8
/// 1.13 ms instead of 1.33; decode norms kept a thread per two features.
int64_t automaticThreads(RmsNormOp op) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  int64_t features = xType.getShape().back();
  if (ShapedType::isDynamic(features))
    return 256;
  int64_t featuresPerThread = xType.getRank() == 3 ? kRegisterColumns : 2;
  int64_t threads =
      llvm::alignTo(llvm::divideCeil(features, featuresPerThread), kWarpSize);
  return std::clamp<int64_t>(threads, kWarpSize, 1024);
}

LogicalResult tileRmsNorm(RmsNormOp op, int64_t threads) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  int64_t rank = xType.getRank();
  // Rows map to the grid's x and y dimensions.
  if (rank > 3)
    return op.emitOpError() << "cannot tile: rank " << rank
                            << " is more than the two row dimensions and "
                               "the feature dimension a kernel grid holds";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = xType.getElementType();
  Value x = readOnlyBuffer(b, op.getX());
  Value weight = readOnlyBuffer(b, op.getWeight());
  Value residual = readOnlyBuffer(b, op.getResidual());
  SmallVector<Value> sizes = bufferSizes(b, x);
  Value y = allocBuffer(b, op.getY().getType(), sizes);
  Value residualOut;
  if (Value result = op.getResidualOut())
    residualOut = allocBuffer(b, result.getType(), sizes);
  Type residualOutElement =
      residualOut ? cast<MemRefType>(residualOut.getType()).getElementType()
                  : Type();

  Value features = sizes.back();
  SmallVector<OpFoldResult> grid;
  for (int64_t dim = rank - 2; dim >= 0; --dim)
    grid.push_back(sizes[dim]);
  if (grid.empty())
    grid.push_back(b.getIndexAttr(1));

  // One thread per block is the CPU target's: it sums the row itself, with
  // no warps, shared memory or barrier.
  const bool oneThread = threads == 1;
  float eps = op.getEps().convertToFloat();
  const int64_t staticFeatures = xType.getShape().back();
  const int64_t registerColumns =
      oneThread || ShapedType::isDynamic(staticFeatures) ||
              llvm::divideCeil(staticFeatures, threads) > kRegisterColumns
          ? 0
          : llvm::divideCeil(staticFeatures, threads);

  emitBlockThreadNest(b, grid, threads, [&](ValueRange blocks, Value thread) {
    // The grid's x is the last row dimension.
    SmallVector<Value> row;
    for (int64_t dim = 0; dim <= rank - 2; ++dim)
      row.push_back(blocks[rank - 2 - dim]);
    auto at = [&](Value column) {
      SmallVector<Value> indices(row);
      indices.push_back(column);
      return indices;
    };
    // r = x + residual, in f32.
    auto load = [&](Value column) {
      Value r = toF32(b, memref::LoadOp::create(b, x, at(column)));
      if (residual)
        r = arith::AddFOp::create(
            b, r, toF32(b, memref::LoadOp::create(b, residual, at(column))));
      return r;
    };
    // r as the new residual stream stores it (rounded when it is 16-bit),
    // written where `inside` holds (everywhere without it): the sum of
    // squares is taken of the stream as stored.
    auto loadAndStore = [&](Value column, Value inside) {
      Value r = load(column);
      if (!residualOut)
        return r;
      Value stored = fromF32(b, r, residualOutElement);
      auto store = [&] {
        memref::StoreOp::create(b, stored, residualOut, at(column));
      };
      if (inside)
        emitIf(b, inside, store);
      else
        store();
      return toF32(b, stored);
    };
    Value step = indexConstant(b, threads);

    // The row kept in registers (static rows of at most kRegisterColumns
    // columns per thread): column thread + j * threads, clamped into the
    // row for loads; the stores of clamped ones are skipped, as an
    // in-place stream must not be written twice.
    SmallVector<Value> columns, valid, kept, weights;
    Value squares;
    if (registerColumns > 0) {
      squares = f32Constant(b, 0.0);
      Value last = indexConstant(b, staticFeatures - 1);
      for (int64_t j = 0; j < registerColumns; ++j) {
        Value column =
            arith::AddIOp::create(b, thread, indexConstant(b, j * threads));
        Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                             column, features);
        column = arith::MinUIOp::create(b, column, last);
        columns.push_back(column);
        valid.push_back(inside);
        // Issued before the reduction, so that its latency hides there.
        weights.push_back(
            toF32(b, memref::LoadOp::create(b, weight, ValueRange{column})));
        Value r = arith::SelectOp::create(
            b, inside, loadAndStore(column, inside), f32Constant(b, 0.0));
        kept.push_back(r);
        squares = math::FmaOp::create(b, r, r, squares);
      }
    } else {
      // Pass 1: the sum of squares of this thread's columns (and the new
      // residual stream on the way).
      auto sumLoop = scf::ForOp::create(b, thread, features, step,
                                        ValueRange{f32Constant(b, 0.0)});
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(sumLoop.getBody());
      Value column = sumLoop.getInductionVar();
      Value r = loadAndStore(column, Value());
      scf::YieldOp::create(b, ValueRange{math::FmaOp::create(
                                  b, r, r, sumLoop.getRegionIterArg(0))});
      b.setInsertionPointAfter(sumLoop);
      squares = sumLoop.getResult(0);
    }
    Value total =
        oneThread ? squares : emitBlockSum(b, squares, thread, threads);
    Value count = arith::UIToFPOp::create(
        b, b.getF32Type(),
        arith::IndexCastUIOp::create(b, b.getI64Type(), features));
    Value rstd = math::RsqrtOp::create(
        b, arith::AddFOp::create(b, arith::DivFOp::create(b, total, count),
                                 f32Constant(b, eps)));

    if (registerColumns > 0) {
      for (int64_t j = 0; j < registerColumns; ++j) {
        Value out = arith::MulFOp::create(
            b, arith::MulFOp::create(b, kept[j], rstd), weights[j]);
        Value stored = fromF32(b, out, element);
        emitIf(b, valid[j],
               [&] { memref::StoreOp::create(b, stored, y, at(columns[j])); });
      }
      return;
    }
    // Pass 2: normalize (the row is read again, from L1 or L2). With a
    // residual_out, the stream as stored is what gets normalized: each
    // thread reads back exactly the columns it wrote, so the runtime may
    // pass one buffer as residual and residual_out (an in-place stream).
    emitStridedLoop(b, thread, features, step, [&](Value column) {
      Value w = toF32(b, memref::LoadOp::create(b, weight, ValueRange{column}));
      Value r =
          residualOut
              ? toF32(b, memref::LoadOp::create(b, residualOut, at(column)))
              : load(column);
      Value out =
          arith::MulFOp::create(b, arith::MulFOp::create(b, r, rstd), w);
      memref::StoreOp::create(b, fromF32(b, out, element), y, at(column));
    });
  });

  SmallVector<Value> results = {y};
  if (residualOut)
    results.push_back(residualOut);
  replaceWithBuffers(b, op, results);
  return success();
}

struct MambaTileRmsNormPass
    : mamba::impl::MambaTileRmsNormBase<MambaTileRmsNormPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock != 0 && threadsPerBlock != 1 &&
        (threadsPerBlock < kWarpSize || threadsPerBlock > 1024 ||
         threadsPerBlock % kWarpSize != 0)) {
      getOperation()->emitError()
          << "mamba-tile-rms-norm: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 0 (automatic), 1 (a CPU block) or a multiple of 32 "
             "between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<RmsNormOp> ops;
    getOperation()->walk([&](RmsNormOp op) { ops.push_back(op); });
    for (RmsNormOp op : ops)
      if (failed(tileRmsNorm(op, threadsPerBlock ? threadsPerBlock
                                                 : automaticThreads(op))))
        return signalPassFailure();
  }
};

} // namespace
