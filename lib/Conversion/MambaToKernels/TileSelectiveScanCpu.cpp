//===- TileSelectiveScanCpu.cpp - scan into host loops, channels as lanes -===//
//
// The GPU tiling puts a channel's states in a thread's registers and reduces
// y across them; on a CPU core that layout spends most of its time on the
// horizontal sum of y and on gathering a column of B and C per timestep.
// Here the vector lanes are channels instead: B[n, t] and C[n, t] are one
// scalar broadcast to every lane, y is an FMA per state, and dt (one per
// channel and timestep) is computed once, vectorized along time, before the
// recurrence reads it transposed from a small scratch tile.
//
// Per chunk the recurrence runs states outer, timesteps inner:
// a state vector stays in a register across the chunk, and the chunk's
// exp(dt * A) are independent, so the core overlaps them; only the FMA into
// the state is a serial chain.
//
//===----------------------------------------------------------------------===//

#include "ScanBuffers.h"

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
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

#include <numeric>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILESELECTIVESCANCPU
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Lanes beyond this would unroll the per-channel staging into too much
/// code for no gain: 16 already fills an AVX-512 register.
constexpr int64_t kMaxChannelsPerBlock = 64;
/// The chunk's timesteps are unrolled, once per state loop body.
constexpr int64_t kMaxChunkLength = 128;
/// The timestep loop inside a state's loop is unrolled by this much: 8,
/// 4 or 1 and the whole 32-step chunk measured alike (1.0e9 to 1.2e9 state
/// updates/s, best of four, on a busy 2-core machine); 8 keeps the code a
/// quarter of the full unroll's with the loop overhead amortized.
constexpr int64_t kStepsUnrolled = 8;

struct CpuScanShape {
  int64_t lanes;            // V: channels per block
  int64_t chunk;            // T: timesteps per chunk
  int64_t stateSize;        // N
  int64_t channelsPerGroup; // d / G, or 0 when there is one group
};

FailureOr<CpuScanShape> checkTiling(SelectiveScanOp op, int64_t lanes,
                                    int64_t chunk) {
  auto aType = cast<RankedTensorType>(op.getA().getType());
  CpuScanShape shape{lanes, chunk, aType.getDimSize(1), 0};
  if (lanes < 1 || lanes > kMaxChannelsPerBlock)
    return op.emitOpError()
           << "cannot tile for the CPU: channels_per_block = " << lanes
           << " must be between 1 and " << kMaxChannelsPerBlock;
  if (chunk < 1 || chunk > kMaxChunkLength)
    return op.emitOpError()
           << "cannot tile for the CPU: chunk_length = " << chunk
           << " must be between 1 and " << kMaxChunkLength;
  if (ShapedType::isDynamic(shape.stateSize))
    return op.emitOpError() << "needs a static state size N to be tiled";
  FailureOr<int64_t> perGroup = scanChannelsPerGroup(op);
  if (failed(perGroup))
    return failure();
  // A block's lanes share one group's B and C scalars.
  shape.channelsPerGroup = *perGroup;
  if (shape.channelsPerGroup && shape.channelsPerGroup % lanes != 0)
    return op.emitOpError()
           << "cannot tile for the CPU: channels_per_block = " << lanes
           << " must divide the channels per group d / G = "
           << shape.channelsPerGroup;
  return shape;
}

/// The columns of a square of V rows, V a power of two, each a vector<V>,
/// by two-operand shuffles: a store and a load per element cost far more
/// (they were a fifth of the scan's time). For V = 8 the masks are those of
/// AVX's in-lane unpack and shufps and the cross-lane vperm2f128, 24
/// instructions; other V use rounds of perfect shuffles, log2(V) rounds of
/// V shuffles, which any target lowers, if less tightly.
SmallVector<Value> transposeSquare(ImplicitLocOpBuilder &b,
                                   ArrayRef<Value> rows) {
  const int64_t V = rows.size();
  SmallVector<Value> cur(rows);
  auto pairs = [&](ArrayRef<int64_t> sources, ArrayRef<int64_t> maskLo,
                   ArrayRef<int64_t> maskHi) {
    // sources[i] pairs with sources[i] + stride; outputs in order.
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < sources.size(); i += 2) {
      next.push_back(vector::ShuffleOp::create(b, cur[sources[i]],
                                               cur[sources[i + 1]], maskLo));
      next.push_back(vector::ShuffleOp::create(b, cur[sources[i]],
                                               cur[sources[i + 1]], maskHi));
    }
    cur = next;
  };
  if (V == 8) {
    // Rows 2i and 2i+1 interleaved within each 128-bit half: t[2i] holds
    // columns 0, 1, 4, 5 of the two rows, t[2i+1] columns 2, 3, 6, 7.
    pairs({0, 1, 2, 3, 4, 5, 6, 7}, {0, 8, 1, 9, 4, 12, 5, 13},
          {2, 10, 3, 11, 6, 14, 7, 15});
    // Four rows' worth of one column per half: u[j] (j < 4) is column j in
    // its low half and column j + 4 in its high half, for rows 0-3; u[4 + j]
    // the same for rows 4-7.
    pairs({0, 2, 1, 3, 4, 6, 5, 7}, {0, 1, 8, 9, 4, 5, 12, 13},
          {2, 3, 10, 11, 6, 7, 14, 15});
    // cur is now u0, u1, u2, u3, u4, u5, u6, u7 in that order; halves meet.
    SmallVector<Value> u(cur), columns(8);
    for (int64_t j = 0; j < 4; ++j) {
      columns[j] = vector::ShuffleOp::create(
          b, u[j], u[4 + j], ArrayRef<int64_t>{0, 1, 2, 3, 8, 9, 10, 11});
      columns[j + 4] = vector::ShuffleOp::create(
          b, u[j], u[4 + j], ArrayRef<int64_t>{4, 5, 6, 7, 12, 13, 14, 15});
    }
    return columns;
  }
  SmallVector<int64_t> lo, hi, sources;
  for (int64_t i = 0; i < V / 2; ++i) {
    lo.append({i, V + i});
    hi.append({V / 2 + i, V + V / 2 + i});
    sources.append({i, i + V / 2});
  }
  for (int64_t width = 1; width < V; width *= 2)
    pairs(sources, lo, hi);
  return cur;
}

/// Emits the host loops of one scan at the op, on buffers.
class CpuScanTiler {
public:
  CpuScanTiler(SelectiveScanOp op, const CpuScanShape &shape)
      : op(op), shape(shape), b(op.getLoc(), op), f32(b.getF32Type()),
        laneType(VectorType::get({shape.lanes}, f32)) {}

  void run();

private:
  Value index(int64_t v) { return indexConstant(b, v); }
  Value f32Const(double v) { return f32Constant(b, v); }

  /// What the block knows before its chunk loop.
  struct Block {
    Value batch, group, firstChannel, channelCount; // channels in this block
    SmallVector<Value> channels;    // per lane, clamped to the last channel
    Value statesA, state;           // [N, V] scratch: A * log2 e, h
    Value dt, dtU, ySum;            // [T, V] scratch
    SmallVector<Value> bias, dSkip; // per lane, f32 scalars (or empty)
  };
  void emitBlock(Value channelBlock, Value batch);
  /// The chunk from `start`: a whole one (T timesteps) with plain vector
  /// loads and stores, the last, shorter one with masked ones.
  void emitChunk(Block &blk, Value start);
  /// The chunk's work; `full` says it has all T timesteps, so rows need no
  /// masks and columns of B and C no clamping. The masked form matters
  /// beyond the last chunk: masked 16-bit loads have no AVX2 instruction,
  /// and LLVM splits them into a branch per element.
  void emitChunkBody(Block &blk, Value start, Value size, bool full);
  void emitRecurrence(Block &blk, Value start, bool full);
  /// Prefetches the next chunk's rows of the per-channel operands.
  void emitPrefetch(const Block &blk, Value start);
  /// Row `lane`'s T timesteps of `buffer` (at [batch, channel, start]) in
  /// f32, zero past the sequence end unless `full`.
  Value readRow(Value buffer, const Block &blk, int64_t lane, Value start,
                bool full);
  /// Whether V x V squares of the chunk transpose by vector shuffles
  /// (V a power of two dividing T); else element by element.
  bool shuffleTransposes() const;
  /// Stores V rows of T values (one per lane) into a [T, V] scratch tile.
  void storeTransposed(ArrayRef<Value> rows, Value scratch);
  /// The V rows (one per lane, T values each) of a [T, V] scratch tile.
  SmallVector<Value> loadTransposed(Value scratch);

  SelectiveScanOp op;
  const CpuScanShape &shape;
  ImplicitLocOpBuilder b;
  FloatType f32;
  VectorType laneType;

  Value u, delta, A, B, C, D, z, deltaBias, initialState, y, finalState;
  Value channels, length;
};

void CpuScanTiler::run() {
  ScanBuffers buffers = takeScanBuffers(b, op);
  u = buffers.u;
  delta = buffers.delta;
  A = buffers.A;
  B = buffers.B;
  C = buffers.C;
  D = buffers.D;
  z = buffers.z;
  deltaBias = buffers.deltaBias;
  initialState = buffers.initialState;
  y = buffers.y;
  finalState = buffers.finalState;
  channels = buffers.channels;
  length = buffers.length;
  Value channelBlocks =
      arith::CeilDivUIOp::create(b, channels, index(shape.lanes));

  emitBlockThreadNest(
      b, {channelBlocks, buffers.batch}, /*threads=*/1,
      [&](ValueRange blocks, Value) { emitBlock(blocks[0], blocks[1]); });
  replaceWithBuffers(b, op, {y, finalState});
}

void CpuScanTiler::emitBlock(Value channelBlock, Value batch) {
  const int64_t V = shape.lanes, N = shape.stateSize, T = shape.chunk;
  Block blk;
  blk.batch = batch;
  blk.firstChannel = arith::MulIOp::create(b, channelBlock, index(V));
  blk.group = shape.channelsPerGroup
                  ? arith::DivUIOp::create(b, blk.firstChannel,
                                           index(shape.channelsPerGroup))
                        .getResult()
                  : index(0);
  blk.channelCount = arith::MinUIOp::create(
      b, arith::SubIOp::create(b, channels, blk.firstChannel), index(V));
  Value lastChannel = arith::SubIOp::create(b, channels, index(1));
  for (int64_t lane = 0; lane < V; ++lane)
    blk.channels.push_back(arith::MinUIOp::create(
        b, arith::AddIOp::create(b, blk.firstChannel, index(lane)),
        lastChannel));
  for (int64_t lane = 0; lane < V; ++lane) {
    Value c = blk.channels[lane];
    if (deltaBias)
      blk.bias.push_back(memref::LoadOp::create(b, deltaBias, ValueRange{c}));
    if (D)
      blk.dSkip.push_back(memref::LoadOp::create(b, D, ValueRange{c}));
  }

  auto scratch = [&](int64_t rows) {
    return memref::AllocaOp::create(b, MemRefType::get({rows, V}, f32));
  };
  blk.statesA = scratch(N);
  blk.state = scratch(N);
  blk.dt = scratch(T);
  blk.dtU = scratch(T);
  blk.ySum = scratch(T);

  // A (scaled for exp2) and the initial state, transposed to [N, V]: read
  // once per block, so plain scalar loops.
  auto states = scf::ForOp::create(b, index(0), index(N), index(1));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(states.getBody());
    Value n = states.getInductionVar();
    SmallVector<Value> a, h;
    for (int64_t lane = 0; lane < V; ++lane) {
      Value c = blk.channels[lane];
      a.push_back(arith::MulFOp::create(
          b, memref::LoadOp::create(b, A, ValueRange{c, n}),
          f32Const(llvm::numbers::log2e)));
      h.push_back(initialState
                      ? memref::LoadOp::create(b, initialState,
                                               ValueRange{blk.batch, c, n})
                            .getResult()
                      : f32Const(0.0));
    }
    vector::StoreOp::create(b, vector::FromElementsOp::create(b, laneType, a),
                            blk.statesA, ValueRange{n, index(0)});
    vector::StoreOp::create(b, vector::FromElementsOp::create(b, laneType, h),
                            blk.state, ValueRange{n, index(0)});
  }

  Value chunks = arith::CeilDivUIOp::create(b, length, index(T));
  auto chunkLoop = scf::ForOp::create(b, index(0), chunks, index(1));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(chunkLoop.getBody());
    emitChunk(blk,
              arith::MulIOp::create(b, chunkLoop.getInductionVar(), index(T)));
  }

  if (!finalState)
    return;
  auto store = scf::ForOp::create(b, index(0), index(N), index(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(store.getBody());
  Value n = store.getInductionVar();
  Value h =
      vector::LoadOp::create(b, laneType, blk.state, ValueRange{n, index(0)});
  for (int64_t lane = 0; lane < V; ++lane) {
    Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                         index(lane), blk.channelCount);
    emitIf(b, active, [&] {
      memref::StoreOp::create(b, vector::ExtractOp::create(b, h, lane),
                              finalState,
                              ValueRange{blk.batch, blk.channels[lane], n});
    });
  }
}

Value CpuScanTiler::readRow(Value buffer, const Block &blk, int64_t lane,
                            Value start, bool full) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  Value pad = arith::ConstantOp::create(b, b.getZeroAttr(element));
  return toF32(b, vector::TransferReadOp::create(
                      b, VectorType::get({shape.chunk}, element), buffer,
                      ValueRange{blk.batch, blk.channels[lane], start}, pad,
                      ArrayRef<bool>{full}));
}

void CpuScanTiler::emitChunk(Block &blk, Value start) {
  const int64_t T = shape.chunk;
  emitPrefetch(blk, start);
  Value size = arith::MinUIOp::create(
      b, arith::SubIOp::create(b, length, start), index(T));
  Value full =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, size, index(T));
  auto ifFull = scf::IfOp::create(b, full, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifFull.thenBlock());
  emitChunkBody(blk, start, size, /*full=*/true);
  b.setInsertionPointToStart(ifFull.elseBlock());
  emitChunkBody(blk, start, size, /*full=*/false);
}

void CpuScanTiler::emitChunkBody(Block &blk, Value start, Value size,
                                 bool full) {
  const int64_t V = shape.lanes, T = shape.chunk;
  auto timeType = VectorType::get({T}, f32);
  Value zeros = vector::BroadcastOp::create(b, timeType, f32Const(0.0));
  Value valid =
      full ? Value()
           : vector::CreateMaskOp::create(
                 b, VectorType::get({T}, b.getI1Type()), ValueRange{size});

  // Staging: per channel, dt and dt * u along time (dt = 0 past the end
  // keeps the state), stored transposed so the recurrence reads a
  // timestep's V lanes as one vector.
  SmallVector<Value> dtRows, dtURows;
  for (int64_t lane = 0; lane < V; ++lane) {
    Value dt = readRow(delta, blk, lane, start, full);
    if (deltaBias)
      dt = arith::AddFOp::create(
          b, dt, vector::BroadcastOp::create(b, timeType, blk.bias[lane]));
    if (op.getDeltaSoftplus())
      dt = emitSoftplus(b, dt, /*precise=*/true);
    if (!full)
      dt = arith::SelectOp::create(b, valid, dt, zeros);
    dtRows.push_back(dt);
    dtURows.push_back(
        arith::MulFOp::create(b, dt, readRow(u, blk, lane, start, full)));
  }
  storeTransposed(dtRows, blk.dt);
  storeTransposed(dtURows, blk.dtU);
  Value laneZeros = vector::BroadcastOp::create(b, laneType, f32Const(0.0));
  for (int64_t t = 0; t < T; ++t)
    vector::StoreOp::create(b, laneZeros, blk.ySum,
                            ValueRange{index(t), index(0)});

  emitRecurrence(blk, start, full);

  // Per channel: y along time, the D skip and the gate, one row store.
  SmallVector<Value> ySums = loadTransposed(blk.ySum);
  Type yElement = cast<MemRefType>(y.getType()).getElementType();
  for (int64_t lane = 0; lane < V; ++lane) {
    Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                         index(lane), blk.channelCount);
    emitIf(b, active, [&] {
      Value out = ySums[lane];
      if (D)
        out = vector::FMAOp::create(
            b, vector::BroadcastOp::create(b, timeType, blk.dSkip[lane]),
            readRow(u, blk, lane, start, full), out);
      if (z)
        out = arith::MulFOp::create(
            b, out, emitSilu(b, readRow(z, blk, lane, start, full)));
      vector::TransferWriteOp::create(
          b, fromF32(b, out, yElement), y,
          ValueRange{blk.batch, blk.channels[lane], start},
          ArrayRef<bool>{full});
    });
  }
}

void CpuScanTiler::emitPrefetch(const Block &blk, Value start) {
  // A block reads 3 or 4 rows per channel, a few cache lines each, every
  // chunk: more streams than the hardware prefetcher follows, so without
  // this each chunk's staging waited on memory about as long as its
  // recurrence computed. Prefetches never fault; the column is clamped only
  // to stay inside the buffer's index space.
  constexpr int64_t kLineBytes = 64;
  Value next = arith::AddIOp::create(b, start, index(shape.chunk));
  Value lastColumn = arith::SubIOp::create(b, length, index(1));
  auto prefetchRows = [&](Value buffer, bool write) {
    if (!buffer)
      return;
    int64_t bytes =
        cast<MemRefType>(buffer.getType()).getElementTypeBitWidth() / 8;
    int64_t perLine = std::max<int64_t>(1, kLineBytes / bytes);
    for (int64_t offset = 0; offset < shape.chunk; offset += perLine) {
      Value column = arith::MinUIOp::create(
          b, arith::AddIOp::create(b, next, index(offset)), lastColumn);
      for (int64_t lane = 0; lane < shape.lanes; ++lane)
        memref::PrefetchOp::create(
            b, buffer, ValueRange{blk.batch, blk.channels[lane], column}, write,
            /*localityHint=*/3, /*isDataCache=*/true);
    }
  };
  prefetchRows(delta, false);
  prefetchRows(u, false);
  prefetchRows(z, false);
  prefetchRows(y, true);
}

bool CpuScanTiler::shuffleTransposes() const {
  return llvm::isPowerOf2_64(shape.lanes) && shape.chunk % shape.lanes == 0;
}

void CpuScanTiler::storeTransposed(ArrayRef<Value> rows, Value scratch) {
  const int64_t V = shape.lanes, T = shape.chunk;
  if (!shuffleTransposes()) {
    for (int64_t lane = 0; lane < V; ++lane)
      for (int64_t t = 0; t < T; ++t)
        memref::StoreOp::create(b, vector::ExtractOp::create(b, rows[lane], t),
                                scratch, ValueRange{index(t), index(lane)});
    return;
  }
  for (int64_t first = 0; first < T; first += V) {
    SmallVector<Value> square;
    for (Value row : rows)
      square.push_back(vector::ExtractStridedSliceOp::create(
          b, row, ArrayRef<int64_t>{first}, ArrayRef<int64_t>{V},
          ArrayRef<int64_t>{1}));
    SmallVector<Value> columns = transposeSquare(b, square);
    for (int64_t t = 0; t < V; ++t)
      vector::StoreOp::create(b, columns[t], scratch,
                              ValueRange{index(first + t), index(0)});
  }
}

SmallVector<Value> CpuScanTiler::loadTransposed(Value scratch) {
  const int64_t V = shape.lanes, T = shape.chunk;
  auto timeType = VectorType::get({T}, f32);
  SmallVector<Value> rows;
  if (!shuffleTransposes()) {
    for (int64_t lane = 0; lane < V; ++lane) {
      SmallVector<Value> elements;
      for (int64_t t = 0; t < T; ++t)
        elements.push_back(memref::LoadOp::create(
            b, scratch, ValueRange{index(t), index(lane)}));
      rows.push_back(vector::FromElementsOp::create(b, timeType, elements));
    }
    return rows;
  }
  rows.assign(V, vector::BroadcastOp::create(b, timeType, f32Const(0.0)));
  for (int64_t first = 0; first < T; first += V) {
    SmallVector<Value> square;
    for (int64_t t = 0; t < V; ++t)
      square.push_back(vector::LoadOp::create(
          b, laneType, scratch, ValueRange{index(first + t), index(0)}));
    SmallVector<Value> columns = transposeSquare(b, square);
    for (int64_t lane = 0; lane < V; ++lane)
      rows[lane] = vector::InsertStridedSliceOp::create(
          b, columns[lane], rows[lane], ArrayRef<int64_t>{first},
          ArrayRef<int64_t>{1});
  }
  return rows;
}

void CpuScanTiler::emitRecurrence(Block &blk, Value start, bool full) {
  const int64_t T = shape.chunk;
  const int64_t U = T % kStepsUnrolled == 0 ? kStepsUnrolled : 1;
  Value lastColumn = arith::SubIOp::create(b, length, index(1));
  auto states =
      scf::ForOp::create(b, index(0), index(shape.stateSize), index(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(states.getBody());
  Value n = states.getInductionVar();
  Value a =
      vector::LoadOp::create(b, laneType, blk.statesA, ValueRange{n, index(0)});
  Value h0 =
      vector::LoadOp::create(b, laneType, blk.state, ValueRange{n, index(0)});
  auto steps =
      scf::ForOp::create(b, index(0), index(T), index(U), ValueRange{h0});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(steps.getBody());
    Value h = steps.getRegionIterArg(0);
    for (int64_t k = 0; k < U; ++k) {
      Value t = arith::AddIOp::create(b, steps.getInductionVar(), index(k));
      Value column = arith::AddIOp::create(b, start, t);
      if (!full)
        column = arith::MinUIOp::create(b, column, lastColumn);
      auto scalarAt = [&](Value buffer) {
        return toF32(
            b, memref::LoadOp::create(
                   b, buffer, ValueRange{blk.batch, blk.group, n, column}));
      };
      Value dt =
          vector::LoadOp::create(b, laneType, blk.dt, ValueRange{t, index(0)});
      Value dtU =
          vector::LoadOp::create(b, laneType, blk.dtU, ValueRange{t, index(0)});
      Value decay = math::Exp2Op::create(b, arith::MulFOp::create(b, dt, a));
      Value input = arith::MulFOp::create(
          b, dtU, vector::BroadcastOp::create(b, laneType, scalarAt(B)));
      h = vector::FMAOp::create(b, decay, h, input);
      Value ySum = vector::LoadOp::create(b, laneType, blk.ySum,
                                          ValueRange{t, index(0)});
      ySum = vector::FMAOp::create(
          b, vector::BroadcastOp::create(b, laneType, scalarAt(C)), h, ySum);
      vector::StoreOp::create(b, ySum, blk.ySum, ValueRange{t, index(0)});
    }
    scf::YieldOp::create(b, ValueRange{h});
  }
  vector::StoreOp::create(b, steps.getResult(0), blk.state,
                          ValueRange{n, index(0)});
}

struct MambaTileSelectiveScanCpuPass
    : mamba::impl::MambaTileSelectiveScanCpuBase<
          MambaTileSelectiveScanCpuPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<SelectiveScanOp, ScanTilingAttr>> scans;
    if (failed(collectScanTilings(
            getOperation(),
            std::vector<std::string>(tunedTilings.begin(), tunedTilings.end()),
            /*tunedSplit=*/{}, scans)))
      return signalPassFailure();
    for (auto [op, tiling] : scans) {
      int64_t lanes = channelsPerBlock, chunk = chunkLength;
      if (!tiling) {
        // The options are a default, not a demand: with groups, the block
        // narrows to lanes that divide the channels per group (a tiling
        // attribute that does not divide them is refused below).
        auto b = cast<RankedTensorType>(op.getB().getType());
        auto u = cast<RankedTensorType>(op.getU().getType());
        int64_t G = b.getDimSize(1), d = u.getDimSize(1);
        if (lanes > 0 && G > 1 && !ShapedType::isDynamic(G) &&
            !ShapedType::isDynamic(d) && d % G == 0)
          lanes = std::gcd(lanes, d / G);
      }
      if (tiling) {
        const int64_t N =
            cast<RankedTensorType>(op.getA().getType()).getDimSize(1);
        if (tiling.getStatesPerThread() != N ||
            tiling.getSequenceSplits() != 1) {
          op.emitOpError()
              << "has a GPU tiling (" << tiling
              << "); the CPU tiling keeps all N = " << N
              << " states of a channel in one block (states_per_thread = " << N
              << ") and does not split the sequence (sequence_splits = "
                 "1)";
          return signalPassFailure();
        }
        lanes = tiling.getChannelsPerBlock();
        chunk = tiling.getChunkLength();
      }
      FailureOr<CpuScanShape> shape = checkTiling(op, lanes, chunk);
      if (failed(shape))
        return signalPassFailure();
      CpuScanTiler(op, *shape).run();
    }
  }
};

} // namespace
