//===- TileCausalConv1d.cpp - mamba.causal_conv1d into one GPU kernel -----===//
//
// The depthwise conv does K FMAs per output, so it is bound by memory
// traffic: one read of x and one write of y. A thread takes a 16-byte
// vector of consecutive timesteps (8 in bf16), reads it with one load, the
// K - 1 inputs before it (its left neighbour's, from L1) as scalars, and
// writes its outputs with one store; scalar 2-byte accesses per thread
// left most of each memory transaction unused. Rows whose length is not a
// multiple of the vector (whose starts are then not 16-byte aligned) take
// the same window with guarded scalar accesses. A block covers
// `threads-per-block` vectors of one (batch, channel) row.
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
#define GEN_PASS_DEF_MAMBATILECAUSALCONV1D
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Time steps a thread of a channels-last conv walks.
constexpr int64_t kChannelsLastSteps = 32;

/// The channels-last conv ([b, L, d], Mamba-2's): consecutive threads take
/// consecutive channels, so every time step's loads and stores are
/// coalesced; a thread walks kChannelsLastSteps steps of its channel with
/// the last K - 1 inputs in registers, reading the K - 1 before its first
/// step from memory. The block of the last steps also writes the final
/// window, a thread per channel.
LogicalResult tileChannelsLast(CausalConv1dOp op, int64_t threads,
                               int64_t width) {
  if (threads == 1)
    return op.emitOpError() << "with channels_last is tiled for the CPU by "
                               "mamba-tile-causal-conv1d-cpu";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Value x = readOnlyBuffer(b, op.getX());
  Value weight = readOnlyBuffer(b, op.getWeight());
  Value bias = readOnlyBuffer(b, op.getBias());
  SmallVector<Value> sizes = bufferSizes(b, x); // b, L, d
  Value y = allocBuffer(b, op.getY().getType(), sizes);
  Value length = sizes[1], channels = sizes[2];
  Value finalState;
  if (Value result = op.getFinalState())
    finalState = allocBuffer(b, result.getType(),
                             {sizes[0], channels, indexConstant(b, width)});
  Value steps = indexConstant(b, kChannelsLastSteps);
  // An empty sequence still has one block of steps, to write the window.
  Value tiles = arith::MaxUIOp::create(
      b, arith::CeilDivUIOp::create(b, length, steps), indexConstant(b, 1));
  Value channelBlocks =
      arith::CeilDivUIOp::create(b, channels, indexConstant(b, threads));

  emitBlockThreadNest(
      b, {channelBlocks, tiles, sizes[0]}, threads,
      [&](ValueRange blocks, Value thread) {
        Value tile = blocks[1], batch = blocks[2];
        Value zero = indexConstant(b, 0);
        auto [c, active] = clampedChannel(
            b,
            arith::AddIOp::create(
                b,
                arith::MulIOp::create(b, blocks[0], indexConstant(b, threads)),
                thread),
            channels);
        // x[t] of the channel, zero outside [0, L).
        auto guarded = [&](Value t, Value exists) {
          Value source = arith::SelectOp::create(b, exists, t, zero);
          Value input = toF32(
              b, memref::LoadOp::create(b, x, ValueRange{batch, source, c}));
          return Value(
              arith::SelectOp::create(b, exists, input, f32Constant(b, 0.0)));
        };
        SmallVector<Value> taps;
        for (int64_t k = 0; k < width; ++k)
          taps.push_back(
              toF32(b, memref::LoadOp::create(
                           b, weight, ValueRange{c, indexConstant(b, k)})));
        Value start =
            bias ? toF32(b, memref::LoadOp::create(b, bias, ValueRange{c}))
                 : f32Constant(b, 0.0);
        Value t0 = arith::MulIOp::create(b, tile, steps);
        // The window before t0: x[t0 - (K - 1)] ... x[t0 - 1].
        SmallVector<Value> window;
        for (int64_t k = width - 1; k >= 1; --k) {
          Value back = indexConstant(b, k);
          window.push_back(guarded(
              arith::SubIOp::create(b, t0, back),
              arith::AndIOp::create(
                  b,
                  arith::CmpIOp::create(b, arith::CmpIPredicate::uge, t0, back),
                  arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                        arith::SubIOp::create(b, t0, back),
                                        length))));
        }
        Value end = arith::MinUIOp::create(
            b, arith::AddIOp::create(b, t0, steps), length);
        end = arith::MaxUIOp::create(b, end, t0);
        auto loop = scf::ForOp::create(b, t0, end, indexConstant(b, 1), window);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value t = loop.getInductionVar();
          Value input =
              toF32(b, memref::LoadOp::create(b, x, ValueRange{batch, t, c}));
          Value acc = start;
          for (int64_t k = 0; k < width; ++k)
            acc = math::FmaOp::create(
                b, taps[k], k + 1 < width ? loop.getRegionIterArg(k) : input,
                acc);
          if (op.getActivation() == Activation::Silu)
            acc = emitSilu(b, acc);
          Value out = fromF32(b, acc, element);
          emitIf(b, active, [&] {
            memref::StoreOp::create(b, out, y, ValueRange{batch, t, c});
          });
          SmallVector<Value> next;
          for (int64_t k = 1; k + 1 < width; ++k)
            next.push_back(loop.getRegionIterArg(k));
          if (width > 1)
            next.push_back(input);
          scf::YieldOp::create(b, next);
        }
        if (!finalState)
          return;
        // final_state[c, k] = x[L - K + k], zero before the sequence: the
        // block whose steps reach the end (the only one when L = 0) writes
        // it. Said without the block count, which CSE would make a kernel
        // argument.
        Value last =
            arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                  arith::AddIOp::create(b, t0, steps), length);
        emitIf(b, arith::AndIOp::create(b, last, active), [&] {
          Type stored = cast<MemRefType>(finalState.getType()).getElementType();
          for (int64_t k = 0; k < width; ++k) {
            Value shifted =
                arith::AddIOp::create(b, length, indexConstant(b, k));
            Value exists = arith::CmpIOp::create(
                b, arith::CmpIPredicate::uge, shifted, indexConstant(b, width));
            Value t = arith::SubIOp::create(
                b,
                arith::SelectOp::create(b, exists, shifted,
                                        indexConstant(b, width)),
                indexConstant(b, width));
            Value value = guarded(t, exists);
            memref::StoreOp::create(b, fromF32(b, value, stored), finalState,
                                    ValueRange{batch, c, indexConstant(b, k)});
          }
        });
      });
  SmallVector<Value> results = {y};
  if (finalState)
    results.push_back(finalState);
  replaceWithBuffers(b, op, results);
  return success();
}

LogicalResult tileCausalConv1d(CausalConv1dOp op, int64_t threads) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t width = weightType.getDimSize(1);
  if (ShapedType::isDynamic(width))
    return op.emitOpError()
           << "needs a static convolution width K to be tiled (the window "
              "is unrolled)";
  if (op.getChannelsLast())
    return tileChannelsLast(op, threads, width);
  // One thread per block (the CPU target's) writes the whole final window
  // itself; otherwise one thread per input of it.
  if (op.getFinalState() && threads != 1 && width > threads)
    return op.emitOpError() << "cannot tile: the final window of K = " << width
                            << " inputs needs at least K threads, "
                            << "but threads-per-block is " << threads;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Type f32 = b.getF32Type();
  const int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  const int64_t vector = 16 / bytes;
  auto vectorType = VectorType::get({vector}, element);
  const llvm::MaybeAlign aligned(16);
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
  Value tiles =
      arith::CeilDivUIOp::create(b, length, indexConstant(b, threads * vector));
  // Trailing blocks of an empty sequence still write the final window.
  tiles = arith::MaxUIOp::create(b, tiles, indexConstant(b, 1));

  emitBlockThreadNest(
      b, {tiles, sizes[1], sizes[0]}, threads,
      [&](ValueRange blocks, Value thread) {
        Value tile = blocks[0], channel = blocks[1], batch = blocks[2];
        Value zero = indexConstant(b, 0);
        Value f32Zero = f32Constant(b, 0.0);
        // Every row start is 16-byte aligned when L is a multiple of the
        // vector (the runtime aligns buffers to 16 bytes). Computed in the
        // kernel: only buffers are kernel arguments.
        Value rowsAligned = arith::CmpIOp::create(
            b, arith::CmpIPredicate::eq,
            arith::RemUIOp::create(b, memref::DimOp::create(b, x, 2),
                                   indexConstant(b, vector)),
            zero);
        Value first = arith::MulIOp::create(
            b,
            arith::AddIOp::create(
                b, arith::MulIOp::create(b, tile, indexConstant(b, threads)),
                thread),
            indexConstant(b, vector));
        auto at = [&](int64_t offset) {
          return arith::AddIOp::create(b, first, indexConstant(b, offset));
        };
        // x[t], zero outside [0, L): t = first + offset, offset > -K.
        auto guardedInput = [&](int64_t offset) {
          // Before the thread's first input it may precede the row's start,
          // from there on it may pass the row's end.
          Value t, exists;
          if (offset < 0) {
            Value back = indexConstant(b, -offset);
            t = arith::SubIOp::create(b, first, back);
            exists = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, first,
                                           back);
          } else {
            t = at(offset);
            exists =
                arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, length);
          }
          Value source = arith::SelectOp::create(b, exists, t, zero);
          Value input = toF32(b, memref::LoadOp::create(
                                     b, x, ValueRange{batch, channel, source}));
          return Value(arith::SelectOp::create(b, exists, input, f32Zero));
        };
        Value inside =
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, first, length);
        emitIf(b, inside, [&] {
          // The window x[first - (K - 1) .. first + vector): the K - 1
          // earlier inputs, then the thread's own.
          SmallVector<Value> window;
          for (int64_t k = 1 - width; k < 0; ++k)
            window.push_back(guardedInput(k));
          SmallVector<Type> types(vector, f32);
          auto own = scf::IfOp::create(b, types, rowsAligned,
                                       /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(own.thenBlock());
            Value loaded = toF32(
                b, vector::LoadOp::create(b, vectorType, x,
                                          ValueRange{batch, channel, first},
                                          /*nontemporal=*/false, aligned));
            SmallVector<Value> values;
            for (int64_t j = 0; j < vector; ++j)
              values.push_back(vector::ExtractOp::create(b, loaded, j));
            scf::YieldOp::create(b, values);
            b.setInsertionPointToStart(own.elseBlock());
            values.clear();
            for (int64_t j = 0; j < vector; ++j)
              values.push_back(guardedInput(j));
            scf::YieldOp::create(b, values);
          }
          llvm::append_range(window, own.getResults());

          SmallVector<Value> taps;
          for (int64_t k = 0; k < width; ++k)
            taps.push_back(toF32(
                b, memref::LoadOp::create(
                       b, weight, ValueRange{channel, indexConstant(b, k)})));
          Value start =
              bias ? toF32(b,
                           memref::LoadOp::create(b, bias, ValueRange{channel}))
                   : f32Zero;
          SmallVector<Value> outputs;
          for (int64_t j = 0; j < vector; ++j) {
            // y[first + j] = sum_k w[k] x[first + j - (K - 1) + k].
            Value acc = start;
            for (int64_t k = 0; k < width; ++k)
              acc = math::FmaOp::create(b, taps[k], window[j + k], acc);
            if (op.getActivation() == Activation::Silu)
              acc = emitSilu(b, acc);
            outputs.push_back(fromF32(b, acc, element));
          }
          auto store = scf::IfOp::create(b, TypeRange{}, rowsAligned,
                                         /*withElseRegion=*/true);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(store.thenBlock());
          Value packed = arith::ConstantOp::create(
              b, vectorType,
              DenseElementsAttr::get(vectorType, b.getFloatAttr(element, 0.0)));
          for (int64_t j = 0; j < vector; ++j)
            packed = vector::InsertOp::create(b, outputs[j], packed, j);
          vector::StoreOp::create(b, packed, y,
                                  ValueRange{batch, channel, first},
                                  /*nontemporal=*/false, aligned);
          b.setInsertionPointToStart(store.elseBlock());
          for (int64_t j = 0; j < vector; ++j) {
            Value t = at(j);
            emitIf(
                b,
                arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, length),
                [&] {
                  memref::StoreOp::create(b, outputs[j], y,
                                          ValueRange{batch, channel, t});
                });
          }
        });
        if (!finalState)
          return;
        // The window decoding continues from: x[L - K + k], zero-padded on
        // the left, written by the first tile: input k by thread k, or all
        // K by a block's only thread.
        auto writeWindow = [&](Value k) {
          // source = L - K + k, valid when L + k >= K.
          Value shifted = arith::AddIOp::create(b, length, k);
          Value exists = arith::CmpIOp::create(
              b, arith::CmpIPredicate::uge, shifted, indexConstant(b, width));
          Value source = arith::SelectOp::create(
              b, exists,
              arith::SubIOp::create(b, shifted, indexConstant(b, width)), zero);
          Value value =
              memref::LoadOp::create(b, x, ValueRange{batch, channel, source});
          Value zeroValue = arith::ConstantOp::create(
              b, element, b.getFloatAttr(element, 0.0));
          value = arith::SelectOp::create(b, exists, value, zeroValue);
          memref::StoreOp::create(b, value, finalState,
                                  ValueRange{batch, channel, k});
        };
        if (threads == 1) {
          Value firstTile =
              arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tile, zero);
          emitIf(b, firstTile, [&] {
            for (int64_t k = 0; k < width; ++k)
              writeWindow(indexConstant(b, k));
          });
          return;
        }
        // The thread test first, the tile test second: the order the GPU
        // kernels have always been built in (their images stay the same).
        Value inWindow = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                               thread, indexConstant(b, width));
        Value firstTile =
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tile, zero);
        Value writer = arith::AndIOp::create(b, firstTile, inWindow);
        emitIf(b, writer, [&] { writeWindow(thread); });
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
    if (threadsPerBlock != 1 &&
        (threadsPerBlock < 32 || threadsPerBlock > 1024)) {
      getOperation()->emitError()
          << "mamba-tile-causal-conv1d: threads-per-block = "
          << static_cast<int64_t>(threadsPerBlock)
          << " must be 1 (a CPU block) or between 32 and 1024";
      return signalPassFailure();
    }
    SmallVector<CausalConv1dOp> ops;
    getOperation()->walk([&](CausalConv1dOp op) { ops.push_back(op); });
    for (CausalConv1dOp op : ops)
      if (failed(tileCausalConv1d(op, threadsPerBlock)))
        return signalPassFailure();
  }
};

} // namespace
