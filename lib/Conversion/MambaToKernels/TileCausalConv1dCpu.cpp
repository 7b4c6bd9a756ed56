//===- TileCausalConv1dCpu.cpp - causal conv1d as host loops along time ---===//
//
// The GPU tiling gives a thread a 16-byte vector of outputs and builds the
// window from scalars; on a CPU core, one thread per block, that became
// scalar math per output with the SiLU's division among it (a tenth of a
// 130m prefill). Here a block is one (batch, channel) row and the vectors
// run along time: output vector t0 is bias + sum_k w[k] * x[t0 - (K-1) + k
// ...], each term one unaligned vector load of the row, so the inputs come
// from L1 however many taps read them. Only the tiles whose window crosses
// either end of the row take guarded scalar loads and stores.
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
#define GEN_PASS_DEF_MAMBATILECAUSALCONV1DCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Beyond this a tile's vectors stop fitting the registers.
constexpr int64_t kMaxTimestepsPerVector = 64;

class CpuConvTiler {
public:
  CpuConvTiler(CausalConv1dOp op, int64_t width, int64_t timesteps)
      : op(op), b(op.getLoc(), op), K(width), W(timesteps), f32(b.getF32Type()),
        tileType(VectorType::get({W}, f32)) {}

  void run();

private:
  Value index(int64_t v) { return indexConstant(b, v); }
  /// Row values at tile start `t0` + `offset` + [0, count), in f32, zero
  /// outside [0, L), one guarded scalar load each.
  SmallVector<Value> guardedInputs(Value t0, int64_t offset, int64_t count);
  /// The tile's outputs from its window (K - 1 + W values, in f32).
  Value convolve(ArrayRef<Value> windowVectors);
  void emitRow(Value channel, Value batch);

  CausalConv1dOp op;
  ImplicitLocOpBuilder b;
  const int64_t K, W;
  FloatType f32;
  VectorType tileType;
  Type element;
  Value x, weight, bias, y, finalState, length;
  Value rowBatch, rowChannel;
  SmallVector<Value> taps; // per k, broadcast to the tile
  Value start;             // the bias (or zero), broadcast
};

void CpuConvTiler::run() {
  element = getElementTypeOrSelf(op.getX().getType());
  x = readOnlyBuffer(b, op.getX());
  weight = readOnlyBuffer(b, op.getWeight());
  bias = readOnlyBuffer(b, op.getBias());
  SmallVector<Value> sizes = bufferSizes(b, x);
  y = allocBuffer(b, op.getY().getType(), sizes);
  if (Value result = op.getFinalState())
    finalState =
        allocBuffer(b, result.getType(), {sizes[0], sizes[1], index(K)});
  length = sizes[2];
  emitBlockThreadNest(
      b, {sizes[1], sizes[0]}, /*threads=*/1,
      [&](ValueRange blocks, Value) { emitRow(blocks[0], blocks[1]); });
  SmallVector<Value> results = {y};
  if (finalState)
    results.push_back(finalState);
  replaceWithBuffers(b, op, results);
}

SmallVector<Value> CpuConvTiler::guardedInputs(Value t0, int64_t offset,
                                               int64_t count) {
  Value zero = index(0), f32Zero = f32Constant(b, 0.0);
  SmallVector<Value> values;
  for (int64_t i = offset; i < offset + count; ++i) {
    // t = t0 + i may fall before 0 (i < 0) or at or past L.
    Value t, exists;
    if (i < 0) {
      t = arith::SubIOp::create(b, t0, index(-i));
      exists =
          arith::CmpIOp::create(b, arith::CmpIPredicate::uge, t0, index(-i));
    } else {
      t = arith::AddIOp::create(b, t0, index(i));
      exists = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, length);
    }
    Value source = arith::SelectOp::create(b, exists, t, zero);
    Value input = toF32(b, memref::LoadOp::create(
                               b, x, ValueRange{rowBatch, rowChannel, source}));
    values.push_back(arith::SelectOp::create(b, exists, input, f32Zero));
  }
  return values;
}

Value CpuConvTiler::convolve(ArrayRef<Value> inputs) {
  // inputs[k]: the K window vectors, x from t0 - (K - 1) + k.
  Value acc = start;
  for (int64_t k = 0; k < K; ++k)
    acc = vector::FMAOp::create(b, taps[k], inputs[k], acc);
  if (op.getActivation() == Activation::Silu)
    acc = emitSilu(b, acc);
  return fromF32(b, acc, element);
}

void CpuConvTiler::emitRow(Value channel, Value batch) {
  rowBatch = batch;
  rowChannel = channel;
  taps.clear();
  for (int64_t k = 0; k < K; ++k)
    taps.push_back(vector::BroadcastOp::create(
        b, tileType,
        toF32(b, memref::LoadOp::create(b, weight,
                                        ValueRange{channel, index(k)}))));
  start = vector::BroadcastOp::create(
      b, tileType,
      bias ? toF32(b, memref::LoadOp::create(b, bias, ValueRange{channel}))
           : f32Constant(b, 0.0));

  // Tiles [first, last) have their whole window inside the row: t0 >=
  // K - 1 and t0 + W <= L.
  Value tiles = arith::CeilDivUIOp::create(b, length, index(W));
  Value firstInterior = index((K - 1 + W - 1) / W);
  Value lastInterior = arith::DivUIOp::create(b, length, index(W));
  auto loop = scf::ForOp::create(b, index(0), tiles, index(1));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value tile = loop.getInductionVar();
    Value t0 = arith::MulIOp::create(b, tile, index(W));
    Value interior = arith::AndIOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tile,
                              firstInterior),
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, tile,
                              lastInterior));
    auto ifInterior = scf::IfOp::create(b, interior, /*withElseRegion=*/true);
    b.setInsertionPointToStart(ifInterior.thenBlock());
    {
      SmallVector<Value> inputs;
      auto rowType = VectorType::get({W}, element);
      for (int64_t k = 0; k < K; ++k) {
        Value from = arith::SubIOp::create(b, t0, index(K - 1 - k));
        inputs.push_back(
            toF32(b, vector::LoadOp::create(b, rowType, x,
                                            ValueRange{batch, channel, from})));
      }
      vector::StoreOp::create(b, convolve(inputs), y,
                              ValueRange{batch, channel, t0});
    }
    b.setInsertionPointToStart(ifInterior.elseBlock());
    {
      SmallVector<Value> window = guardedInputs(t0, 1 - K, K - 1 + W);
      SmallVector<Value> inputs;
      for (int64_t k = 0; k < K; ++k)
        inputs.push_back(vector::FromElementsOp::create(
            b, tileType, ArrayRef<Value>(window).slice(k, W)));
      Value out = convolve(inputs);
      for (int64_t j = 0; j < W; ++j) {
        Value t = arith::AddIOp::create(b, t0, index(j));
        emitIf(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, length),
            [&] {
              memref::StoreOp::create(b, vector::ExtractOp::create(b, out, j),
                                      y, ValueRange{batch, channel, t});
            });
      }
    }
  }

  if (!finalState)
    return;
  // The window decoding continues from: x[L - K + k], zero before the row.
  Value zero = index(0);
  Value elementZero =
      arith::ConstantOp::create(b, element, b.getFloatAttr(element, 0.0));
  for (int64_t k = 0; k < K; ++k) {
    Value shifted = arith::AddIOp::create(b, length, index(k));
    Value exists =
        arith::CmpIOp::create(b, arith::CmpIPredicate::uge, shifted, index(K));
    Value source = arith::SelectOp::create(
        b, exists, arith::SubIOp::create(b, shifted, index(K)), zero);
    Value value =
        memref::LoadOp::create(b, x, ValueRange{batch, channel, source});
    memref::StoreOp::create(
        b, arith::SelectOp::create(b, exists, value, elementZero), finalState,
        ValueRange{batch, channel, index(k)});
  }
}

struct MambaTileCausalConv1dCpuPass
    : mamba::impl::MambaTileCausalConv1dCpuBase<MambaTileCausalConv1dCpuPass> {
  using Base::Base;

  void runOnOperation() override {
    if (timestepsPerVector < 1 || timestepsPerVector > kMaxTimestepsPerVector) {
      getOperation()->emitError()
          << "mamba-tile-causal-conv1d-cpu: timesteps-per-vector = "
          << static_cast<int64_t>(timestepsPerVector)
          << " must be between 1 and " << kMaxTimestepsPerVector;
      return signalPassFailure();
    }
    SmallVector<CausalConv1dOp> ops;
    getOperation()->walk([&](CausalConv1dOp op) { ops.push_back(op); });
    for (CausalConv1dOp op : ops) {
      int64_t width =
          cast<RankedTensorType>(op.getWeight().getType()).getDimSize(1);
      if (ShapedType::isDynamic(width)) {
        op.emitOpError() << "needs a static convolution width K to be tiled "
                            "(the window is unrolled)";
        return signalPassFailure();
      }
      CpuConvTiler(op, width, timestepsPerVector).run();
    }
  }
};

} // namespace
