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
// With channels_last ([b, L, d], Mamba-2's layout) the contiguous direction
// is the channels, so the vectors run along them instead: a block is one
// (batch, group of kChannelsPerVector channels) and walks time with the last
// K - 1 input vectors carried in registers, so every input is loaded once;
// a group past the last channel is masked.
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

/// Channels per vector of a channels-last conv: one 512-bit register of f32
/// (two of 256 bits where the machine has no AVX-512).
constexpr int64_t kChannelsPerVector = 16;

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

/// The channels-last conv: see the file comment.
class ChannelsLastConvTiler {
public:
  ChannelsLastConvTiler(CausalConv1dOp op, int64_t width)
      : op(op), b(op.getLoc(), op), K(width), f32(b.getF32Type()),
        vectorType(VectorType::get({kChannelsPerVector}, f32)) {}

  void run() {
    element = getElementTypeOrSelf(op.getX().getType());
    x = readOnlyBuffer(b, op.getX());
    weight = readOnlyBuffer(b, op.getWeight());
    bias = readOnlyBuffer(b, op.getBias());
    SmallVector<Value> sizes = bufferSizes(b, x);
    y = allocBuffer(b, op.getY().getType(), sizes);
    length = sizes[1];
    channels = sizes[2];
    if (Value result = op.getFinalState())
      finalState = allocBuffer(b, result.getType(),
                               {sizes[0], channels, indexConstant(b, K)});
    Value groups = arith::CeilDivUIOp::create(
        b, channels, indexConstant(b, kChannelsPerVector));
    emitBlockThreadNest(b, {groups, sizes[0]}, /*threads=*/1,
                        [&](ValueRange blocks, Value) {
                          emitGroup(blocks[0], blocks[1]);
                        });
    SmallVector<Value> results = {y};
    if (finalState)
      results.push_back(finalState);
    replaceWithBuffers(b, op, results);
  }

private:
  void emitGroup(Value group, Value batch) {
    Value first = arith::MulIOp::create(
        b, group, indexConstant(b, kChannelsPerVector));
    Value remaining = arith::SubIOp::create(b, channels, first);
    Value mask = vector::CreateMaskOp::create(
        b, VectorType::get({kChannelsPerVector}, b.getI1Type()),
        ValueRange{remaining});
    Value zeros = arith::ConstantOp::create(
        b, vectorType, DenseElementsAttr::get(vectorType, 0.0f));
    auto storageType = VectorType::get({kChannelsPerVector}, element);
    Value storageZeros = arith::ConstantOp::create(
        b, storageType,
        DenseElementsAttr::get(storageType, b.getFloatAttr(element, 0.0)));

    // Per tap k, the weights of the group's channels (strided by K in the
    // [d, K] weight, so gathered once per block); lanes past the last
    // channel read channel `first` and are never stored.
    SmallVector<Value> taps;
    for (int64_t k = 0; k < K; ++k)
      taps.push_back(gatherChannels(weight, first, remaining, k));
    Value start = bias ? gatherChannels(bias, first, remaining, -1) : zeros;

    // A whole group takes plain vector loads and stores; only the last,
    // part-filled one masks them (LLVM scalarizes masked 16-bit ones, which
    // made a bf16 conv nine times slower than an f32 one).
    Value whole = arith::CmpIOp::create(
        b, arith::CmpIPredicate::uge, remaining,
        indexConstant(b, kChannelsPerVector));
    auto ifWhole = scf::IfOp::create(b, whole, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifWhole.thenBlock());
      emitTimeLoop(batch, first, taps, start, zeros, Value(), Value());
      b.setInsertionPointToStart(ifWhole.elseBlock());
      emitTimeLoop(batch, first, taps, start, zeros, mask, storageZeros);
    }
    if (finalState)
      emitFinalState(batch, first, remaining);
  }

  /// The walk along time of one group, carrying the window (inputs
  /// t - (K - 1) ... t - 1, zero before the sequence) in registers; with a
  /// `mask`, its loads and stores are masked.
  void emitTimeLoop(Value batch, Value first, ArrayRef<Value> taps,
                    Value start, Value zeros, Value mask, Value storageZeros) {
    auto storageType = VectorType::get({kChannelsPerVector}, element);
    SmallVector<Value> window(K - 1, zeros);
    auto loop = scf::ForOp::create(b, indexConstant(b, 0), length,
                                   indexConstant(b, 1), window);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value t = loop.getInductionVar();
    ValueRange at = {batch, t, first};
    Value stored =
        mask ? vector::MaskedLoadOp::create(b, storageType, x, at, mask,
                                            storageZeros)
                   .getResult()
             : vector::LoadOp::create(b, storageType, x, at).getResult();
    Value input = toF32(b, stored);
    Value acc = start;
    for (int64_t k = 0; k < K; ++k) {
      Value in = k + 1 < K ? loop.getRegionIterArg(k) : input;
      acc = vector::FMAOp::create(b, taps[k], in, acc);
    }
    if (op.getActivation() == Activation::Silu)
      acc = emitSilu(b, acc);
    Value out = fromF32(b, acc, element);
    if (mask)
      vector::MaskedStoreOp::create(b, y, at, mask, out);
    else
      vector::StoreOp::create(b, out, y, at);
    SmallVector<Value> next;
    for (int64_t k = 1; k + 1 < K; ++k)
      next.push_back(loop.getRegionIterArg(k));
    if (K > 1)
      next.push_back(input);
    scf::YieldOp::create(b, next);
  }

  /// Element `k` (or the element itself for k < 0: a bias) of rows
  /// first ... first + kChannelsPerVector - 1, clamped to the rows that
  /// exist, as f32.
  Value gatherChannels(Value buffer, Value first, Value remaining, int64_t k) {
    SmallVector<Value> lanes;
    Value last = arith::SubIOp::create(b, remaining, indexConstant(b, 1));
    for (int64_t lane = 0; lane < kChannelsPerVector; ++lane) {
      Value offset = arith::MinUIOp::create(b, indexConstant(b, lane), last);
      Value channel = arith::AddIOp::create(b, first, offset);
      SmallVector<Value> indices = {channel};
      if (k >= 0)
        indices.push_back(indexConstant(b, k));
      lanes.push_back(toF32(b, memref::LoadOp::create(b, buffer, indices)));
    }
    return vector::FromElementsOp::create(b, vectorType, lanes);
  }

  /// final_state[batch, c, k] = x[batch, L - K + k, c], zero before the
  /// sequence, for the group's channels.
  void emitFinalState(Value batch, Value first, Value remaining) {
    Value count = arith::MinUIOp::create(
        b, remaining, indexConstant(b, kChannelsPerVector));
    Value elementZero =
        arith::ConstantOp::create(b, element, b.getFloatAttr(element, 0.0));
    emitFor(b, count, [&](Value lane) {
      Value channel = arith::AddIOp::create(b, first, lane);
      for (int64_t k = 0; k < K; ++k) {
        Value shifted = arith::AddIOp::create(b, length, indexConstant(b, k));
        Value exists = arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                             shifted, indexConstant(b, K));
        Value source = arith::SelectOp::create(
            b, exists, arith::SubIOp::create(b, shifted, indexConstant(b, K)),
            indexConstant(b, 0));
        Value value =
            memref::LoadOp::create(b, x, ValueRange{batch, source, channel});
        memref::StoreOp::create(
            b, arith::SelectOp::create(b, exists, value, elementZero),
            finalState, ValueRange{batch, channel, indexConstant(b, k)});
      }
    });
  }

  CausalConv1dOp op;
  ImplicitLocOpBuilder b;
  const int64_t K;
  FloatType f32;
  VectorType vectorType;
  Type element;
  Value x, weight, bias, y, finalState, length, channels;
};

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
      if (op.getChannelsLast())
        ChannelsLastConvTiler(op, width).run();
      else
        CpuConvTiler(op, width, timestepsPerVector).run();
    }
  }
};

} // namespace
