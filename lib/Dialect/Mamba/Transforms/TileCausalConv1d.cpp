//===- TileCausalConv1d.cpp - mamba.causal_conv1d into one GPU kernel -----===//
//
// The depthwise conv reads each input K times and does K FMAs per output,
// so it is bound by memory traffic, which is one read of x and one write of
// y when neighbouring threads take neighbouring timesteps: the K-wide window
// of a thread then overlaps its neighbours' and the repeated reads hit L1.
// A block covers `timesteps-per-block` consecutive timesteps of one
// (batch, channel) row.
//
//===----------------------------------------------------------------------===//

#include "KernelNest.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILECAUSALCONV1D
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

LogicalResult tileCausalConv1d(CausalConv1dOp op, int64_t threads) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t width = weightType.getDimSize(1);
  if (ShapedType::isDynamic(width))
    return op.emitOpError()
           << "needs a static convolution width K to be tiled (the window "
              "is unrolled)";
  if (op.getFinalState() && width > threads)
    return op.emitOpError() << "cannot tile: the final window of K = "
                            << width << " inputs needs at least K threads, "
                            << "but timesteps-per-block is " << threads;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Value x = readOnlyBuffer(b, op.getX());
  Value weight = readOnlyBuffer(b, op.getWeight());
  Value bias = readOnlyBuffer(b, op.getBias());
  SmallVector<Value> sizes = bufferSizes(b, x);
  Value y = allocBuffer(b, op.getY().getType(), sizes);
  Value finalState;
  if (Value result = op.getFinalState())
    finalState = allocBuffer(b, result.getType(),
                             {sizes[0], sizes[1], indexConstant(b, width)});
  Value length = sizes[2];
  Value tiles = arith::CeilDivUIOp::create(b, length, indexConstant(b, threads));
  // Trailing blocks of an empty sequence still write the final window.
  tiles = arith::MaxUIOp::create(b, tiles, indexConstant(b, 1));

  emitBlockThreadNest(
      b, {tiles, sizes[1], sizes[0]}, threads,
      [&](ValueRange blocks, Value thread) {
        Value tile = blocks[0], channel = blocks[1], batch = blocks[2];
        Value zero = indexConstant(b, 0);
        Value t = arith::AddIOp::create(
            b, arith::MulIOp::create(b, tile, indexConstant(b, threads)),
            thread);
        Value inside =
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, length);
        emitIf(b, inside, [&] {
          Value acc = bias ? toF32(b, memref::LoadOp::create(
                                          b, bias, ValueRange{channel}))
                           : f32Constant(b, 0.0);
          // Tap k reads x[t - (K - 1) + k], zero before the sequence start.
          for (int64_t k = 0; k < width; ++k) {
            Value back = indexConstant(b, width - 1 - k);
            Value exists = arith::CmpIOp::create(
                b, arith::CmpIPredicate::uge, t, back);
            Value source = arith::SelectOp::create(
                b, exists, arith::SubIOp::create(b, t, back), zero);
            Value input = toF32(b, memref::LoadOp::create(
                                       b, x, ValueRange{batch, channel, source}));
            input = arith::SelectOp::create(b, exists, input,
                                            f32Constant(b, 0.0));
            Value w = toF32(b, memref::LoadOp::create(
                                   b, weight,
                                   ValueRange{channel, indexConstant(b, k)}));
            acc = math::FmaOp::create(b, w, input, acc);
          }
          if (op.getActivation() == Activation::Silu)
            acc = emitSilu(b, acc);
          memref::StoreOp::create(b, fromF32(b, acc, element), y,
                                  ValueRange{batch, channel, t});
        });
        if (!finalState)
          return;
        // The window decoding continues from: x[L - K + k], zero-padded on
        // the left, written by the first K threads of the first tile.
        Value writer = arith::AndIOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tile, zero),
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, thread,
                                  indexConstant(b, width)));
        emitIf(b, writer, [&] {
          // source = L - K + k, valid when L + k >= K.
          Value shifted = arith::AddIOp::create(b, length, thread);
          Value exists = arith::CmpIOp::create(
              b, arith::CmpIPredicate::uge, shifted, indexConstant(b, width));
          Value source = arith::SelectOp::create(
              b, exists,
              arith::SubIOp::create(b, shifted, indexConstant(b, width)), zero);
          Value value = memref::LoadOp::create(
              b, x, ValueRange{batch, channel, source});
          Value zeroValue = arith::ConstantOp::create(
              b, element, b.getFloatAttr(element, 0.0));
          value = arith::SelectOp::create(b, exists, value, zeroValue);
          memref::StoreOp::create(b, value, finalState,
                                  ValueRange{batch, channel, thread});
        });
      });

  SmallVector<Value> results = {y};
  if (finalState)
    results.push_back(finalState);
  replaceWithBuffers(b, op, results);
  return success();
}

struct MambaTileCausalConv1dPass
    : mamba::impl::MambaTileCausalConv1dBase<MambaTileCausalConv1dPass> {
  using Base::Base;

  void runOnOperation() override {
    if (timestepsPerBlock < 32 || timestepsPerBlock > 1024) {
      getOperation()->emitError()
          << "mamba-tile-causal-conv1d: timesteps-per-block = "
          << static_cast<int64_t>(timestepsPerBlock)
          << " must be between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<CausalConv1dOp> ops;
    getOperation()->walk([&](CausalConv1dOp op) { ops.push_back(op); });
    for (CausalConv1dOp op : ops)
      if (failed(tileCausalConv1d(op, timestepsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
