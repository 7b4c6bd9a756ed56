//===- TileSsdChunked.cpp - the SSD scan as chunked tensor-core products --===//
//
// Mamba-2's scan in its chunked form (the SSD algorithm) as one GPU kernel
// for 16-bit inputs. A block holds one (batch, head, block of Pb channels of
// the head) and walks the sequence Q positions (a chunk) at a time; its
// state S [Pb, N] stays in the f32 accumulators of warp-level mma.sync
// (m16n8k16) products, warp w holding channels 16w .. 16w + 15. With cum_t
// the running sum of dt A within the chunk, each chunk computes, from its
// x, B and C staged in shared memory:
//
//   G[t, s] = (C_t . B_s) exp(cum_t - cum_s) dt_s       for s <= t, else 0
//   y_t     = exp(cum_t) S C_t + sum_s G[t, s] x_s      (as y^T, per warp)
//   S       = exp(cum_end) S + sum_s x_s w_s B_s^T,  w_s = exp(cum_end -
//             cum_s) dt_s
//
// all three as 16-bit products with f32 sums, on the tensor cores. x, B, C,
// z and y pass through memory once; no chunk states are written between
// launches (mamba_ssm's Triton version makes five). As there, S enters the
// output product rounded to the input type, and so do G and x w: the
// results match the per-step recurrence to the 16-bit types' precision.
// Where seq_idx changes the state restarts: G, the state's share of y and
// the state update keep only positions of the same sequence (seq_idx does
// not decrease along L).
//
//===----------------------------------------------------------------------===//

#include "SsdBuffers.h"
#include "SsdTimeStep.h"

#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <functional>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATILESSDCHUNKED
#include "mamba/Conversion/MambaToKernels/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Static shared memory a block may declare without opting in.
constexpr int64_t kSharedLimit = 48 * 1024;
/// Shared rows are padded by 8 elements (16 bytes), so that the 8 rows an
/// ldmatrix reads start in different banks.
constexpr int64_t kPad = 8;

/// Shared memory of one block: B, C and x of a chunk, G, and per position
/// dt, dt A, cum and (with seq_idx) the sequence numbers.
int64_t sharedBytes(int64_t Q, int64_t Pb, int64_t N, bool seq) {
  int64_t halves = 2 * Q * (N + kPad) + Q * (Pb + kPad) + Q * (Q + kPad);
  return 2 * halves + 3 * 4 * Q + (seq ? 8 * (Q + 1) : 0);
}

Value add(ImplicitLocOpBuilder &b, Value x, int64_t c) {
  return c ? arith::AddIOp::create(b, x, indexConstant(b, c)).getResult() : x;
}
Value add(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::AddIOp::create(b, x, y);
}
Value mul(ImplicitLocOpBuilder &b, Value x, int64_t c) {
  return arith::MulIOp::create(b, x, indexConstant(b, c));
}
Value lessThan(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
}
Value loadF32(ImplicitLocOpBuilder &b, Value buffer, ValueRange indices) {
  return toF32(b, memref::LoadOp::create(b, buffer, indices));
}

/// Where a lane of a warp sits in the mma fragments: its group g (lane / 4)
/// and its thread in the group (lane % 4), and for ldmatrix the 8x8 tile
/// (lane / 8) whose row (lane % 8) it points at.
struct Lane {
  Value g, tig, tile, row;
};

Lane laneOf(ImplicitLocOpBuilder &b, Value lane) {
  Value c4 = indexConstant(b, 4), c8 = indexConstant(b, 8);
  return {
      arith::DivUIOp::create(b, lane, c4), arith::RemUIOp::create(b, lane, c4),
      arith::DivUIOp::create(b, lane, c8), arith::RemUIOp::create(b, lane, c8)};
}

/// Four 8x8 tiles of a shared [rows][cols] array at (row, col) by one
/// ldmatrix: tile i at row + 8 (i % 2), col + 8 (i / 2) when `lowBitRows`,
/// else at row + 8 (i / 2), col + 8 (i % 2). Without `transpose` a lane gets
/// tile elements (lane / 4, 2 (lane % 4) + {0, 1}), with it (2 (lane % 4) +
/// {0, 1}, lane / 4): the A operand of a [m][k] array is (false, true), of a
/// [k][m] array (true, false); two B operands (n tiles side by side) of a
/// [n][k] array are (false, false), of a [k][n] array (true, true).
Value loadTiles(ImplicitLocOpBuilder &b, Value smem, const Lane &l, Value row,
                Value col, bool transpose, bool lowBitRows) {
  Value c2 = indexConstant(b, 2);
  Value low = arith::RemUIOp::create(b, l.tile, c2);
  Value high = arith::DivUIOp::create(b, l.tile, c2);
  Value r = add(b, add(b, row, mul(b, lowBitRows ? low : high, 8)), l.row);
  Value c = add(b, col, mul(b, lowBitRows ? high : low, 8));
  Type element = cast<MemRefType>(smem.getType()).getElementType();
  return nvgpu::LdMatrixOp::create(b, VectorType::get({4, 2}, element), smem,
                                   ValueRange{r, c}, transpose, 4);
}

/// The B operand of the `k`-th n tile of a loadTiles B pair.
Value half(ImplicitLocOpBuilder &b, Value tiles, int64_t k) {
  return vector::ExtractStridedSliceOp::create(
      b, tiles, ArrayRef<int64_t>{2 * k, 0}, ArrayRef<int64_t>{2, 2},
      ArrayRef<int64_t>{1, 1});
}

Value mma(ImplicitLocOpBuilder &b, Value A, Value B, Value C) {
  return nvgpu::MmaSyncOp::create(b, A, B, C, ArrayRef<int64_t>{16, 8, 16});
}

/// Two n tiles side by side: `first` and `second` accumulate A times the
/// two B operands of a loadTiles pair.
void mmaPair(ImplicitLocOpBuilder &b, Value A, Value tiles, Value &first,
             Value &second) {
  first = mma(b, A, half(b, tiles, 0), first);
  second = mma(b, A, half(b, tiles, 1), second);
}

Value zeroAccumulator(ImplicitLocOpBuilder &b) {
  auto type = VectorType::get({2, 2}, b.getF32Type());
  return arith::ConstantOp::create(b, type, DenseElementsAttr::get(type, 0.0f));
}

/// Element (i, j) of a [2][2] accumulator: row g + 8 i, column 2 tig + j.
Value entry(ImplicitLocOpBuilder &b, Value acc, int64_t i, int64_t j) {
  return vector::ExtractOp::create(b, acc, ArrayRef<int64_t>{i, j});
}

/// A [2][2] accumulator with each element (i, j) passed through `f`.
Value mapAccumulator(ImplicitLocOpBuilder &b, Value acc,
                     function_ref<Value(int64_t, int64_t, Value)> f) {
  SmallVector<Value> elements;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      elements.push_back(f(i, j, entry(b, acc, i, j)));
  return vector::FromElementsOp::create(b, acc.getType(), elements);
}

/// The A operand (16 rows, k 16) made of two accumulators side by side (k
/// 0..7 and 8..15), rounded to `type`: mma's C and A layouts agree there.
Value accumulatorsAsA(ImplicitLocOpBuilder &b, Value left, Value right,
                      Type type) {
  SmallVector<Value> elements;
  for (Value acc : {left, right})
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j)
        elements.push_back(entry(b, acc, i, j));
  Value wide = vector::FromElementsOp::create(
      b, VectorType::get({4, 2}, b.getF32Type()), elements);
  return arith::TruncFOp::create(b, VectorType::get({4, 2}, type), wide);
}

/// An operand a chunk stages: rows t0 .. t0 + Q of `global` (`indices(t,
/// col)` indexes element `col` of position t) into shared [Q][width +
/// kPad].
struct StagedOperand {
  Value global, smem;
  int64_t width;
  std::function<SmallVector<Value>(Value, Value)> indices;
};

/// Whether `buffer` (an identity layout: rows of whole 16-byte groups, as
/// the kernel's sizes make them) starts on a 16-byte boundary.
Value startsAligned(ImplicitLocOpBuilder &b, Value buffer) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, buffer);
  return arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, base, indexConstant(b, 15)),
      indexConstant(b, 0));
}

/// Copies a chunk of each operand into shared memory, 8 elements (16
/// bytes) a piece, piece thread + k threads of each operand to this thread.
/// A whole chunk of aligned operands loads its pieces a group at a time
/// (16-byte loads, all in flight together), then stores them; the last,
/// partial chunk or unaligned operands load piece by piece, zeros past
/// `length`.
void stageChunk(ImplicitLocOpBuilder &b, Value thread, int64_t threads,
                ArrayRef<StagedOperand> operands, int64_t Q, Value t0,
                Value length, Value aligned) {
  struct Piece {
    const StagedOperand *operand;
    Value row, col, exists; // exists: null when every thread has the piece
  };
  SmallVector<Piece> pieces;
  for (const StagedOperand &op : operands) {
    const int64_t perRow = op.width / 8, count = Q * perRow;
    for (int64_t k = 0; k * threads < count; ++k) {
      Value i = add(b, thread, k * threads);
      Value exists;
      if ((k + 1) * threads > count) {
        exists = lessThan(b, i, indexConstant(b, count));
        i = arith::MinUIOp::create(b, i, indexConstant(b, count - 1));
      }
      pieces.push_back(
          {&op, arith::DivUIOp::create(b, i, indexConstant(b, perRow)),
           mul(b, arith::RemUIOp::create(b, i, indexConstant(b, perRow)), 8),
           exists});
    }
  }
  auto store = [&](const Piece &piece, Value v) {
    auto write = [&] {
      vector::StoreOp::create(b, v, piece.operand->smem,
                              ValueRange{piece.row, piece.col}, false,
                              llvm::MaybeAlign(16));
    };
    if (piece.exists)
      emitIf(b, piece.exists, write);
    else
      write();
  };
  Value whole = arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                                      add(b, t0, Q), length);
  auto fast = scf::IfOp::create(b, arith::AndIOp::create(b, whole, aligned),
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(fast.thenBlock());
  // At most 8 loads (32 registers) in flight a thread.
  const size_t group = 8;
  for (size_t first = 0; first < pieces.size(); first += group) {
    SmallVector<Value> values;
    size_t end = std::min(pieces.size(), first + group);
    for (size_t k = first; k < end; ++k) {
      const Piece &piece = pieces[k];
      Value global = piece.operand->global;
      auto type = VectorType::get(
          {8}, cast<MemRefType>(global.getType()).getElementType());
      values.push_back(vector::LoadOp::create(
          b, type, global,
          piece.operand->indices(add(b, t0, piece.row), piece.col), false,
          llvm::MaybeAlign(16)));
    }
    for (size_t k = first; k < end; ++k)
      store(pieces[k], values[k - first]);
  }
  b.setInsertionPointToStart(fast.elseBlock());
  for (const Piece &piece : pieces) {
    Value global = piece.operand->global;
    Type element = cast<MemRefType>(global.getType()).getElementType();
    auto type = VectorType::get({8}, element);
    Value t = add(b, t0, piece.row);
    auto inside = scf::IfOp::create(b, TypeRange{type}, lessThan(b, t, length),
                                    true, true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(inside.thenBlock());
      Value padding =
          arith::ConstantOp::create(b, element, b.getZeroAttr(element));
      scf::YieldOp::create(b, vector::TransferReadOp::create(
                                  b, type, global,
                                  piece.operand->indices(t, piece.col), padding,
                                  ArrayRef<bool>{true})
                                  .getResult());
      b.setInsertionPointToStart(inside.elseBlock());
      scf::YieldOp::create(b, arith::ConstantOp::create(
                                  b, type, DenseElementsAttr::get(type, 0.0f))
                                  .getResult());
    }
    store(piece, inside.getResult(0));
  }
}

struct ChunkedSizes {
  int64_t H, P, G, N, Q, Pb;
};

/// Whether x, B and C are all bf16 or all f16: the scans the kernel is
/// for. The others (f32) are the per-step kernel's, whatever the options.
bool isSixteenBit(SsdScanOp op) {
  Type x = getElementTypeOrSelf(op.getX().getType());
  return (x.isBF16() || x.isF16()) &&
         getElementTypeOrSelf(op.getB().getType()) == x &&
         getElementTypeOrSelf(op.getC().getType()) == x;
}

/// Whether the chunked kernel takes a 16-bit scan `op`, and with which
/// chunk and channel block; `why` says why not.
std::optional<ChunkedSizes> chooseSizes(SsdScanOp op, int64_t chunk,
                                        int64_t pBlock, std::string &why) {
  auto [H, P, G, N] = ssdSizes(op);
  if (ShapedType::isDynamic(H) || ShapedType::isDynamic(P) ||
      ShapedType::isDynamic(G) || ShapedType::isDynamic(N)) {
    why = "H, P, G or N is dynamic";
    return std::nullopt;
  }
  if (P % 16 || N % 16 || N > 256) {
    why = "P or N is not a multiple of 16, or N > 256";
    return std::nullopt;
  }
  int64_t Pb = pBlock ? pBlock : std::min<int64_t>(P, 64);
  while (!pBlock && P % Pb)
    Pb -= 16;
  if (Pb % 16 || P % Pb) {
    why = "the channel block " + std::to_string(Pb) +
          " is not a multiple of 16 dividing P = " + std::to_string(P);
    return std::nullopt;
  }
  bool seq = static_cast<bool>(op.getSeqIdx());
  int64_t Q = chunk;
  if (!Q)
    for (int64_t candidate : {64, 32, 16})
      if (sharedBytes(candidate, Pb, N, seq) <= kSharedLimit) {
        Q = candidate;
        break;
      }
  if (!Q) {
    why = "no chunk fits " + std::to_string(kSharedLimit) +
          " bytes of shared memory";
    return std::nullopt;
  }
  // badSizes has checked an explicit chunk's form.
  if (sharedBytes(Q, Pb, N, seq) > kSharedLimit) {
    why = "chunks of " + std::to_string(Q) + " positions with " +
          std::to_string(Pb) + " channels a block need " +
          std::to_string(sharedBytes(Q, Pb, N, seq)) +
          " bytes of shared memory, more than " + std::to_string(kSharedLimit);
    return std::nullopt;
  }
  return ChunkedSizes{H, P, G, N, Q, Pb};
}

void tileSsdChunked(SsdScanOp op, const ChunkedSizes &sz) {
  const auto [H, P, G, N, Q, Pb] = sz;
  const int64_t warps = Pb / 16, threads = 32 * warps;
  const int64_t pBlocks = P / Pb, nTiles = N / 8, tTiles = Q / 8;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type element = getElementTypeOrSelf(op.getX().getType());
  Type f32 = b.getF32Type();
  auto [x, dtIn, A, Bm, Cm, D, z, dtBias, h0, seq, y, finalStates, sizes] =
      takeSsdScanBuffers(b, op, N); // sizes: b, L, H, P

  emitBlockThreadNest(
      b, {indexConstant(b, H * pBlocks), sizes[0]}, threads,
      [&](ValueRange ids, Value thread) {
        Value batch = ids[1];
        Value h = arith::DivUIOp::create(b, ids[0], indexConstant(b, pBlocks));
        Value p0 =
            mul(b, arith::RemUIOp::create(b, ids[0], indexConstant(b, pBlocks)),
                Pb);
        Value group = arith::DivUIOp::create(b, h, indexConstant(b, H / G));
        Value warp = arith::DivUIOp::create(b, thread, indexConstant(b, 32));
        Lane l =
            laneOf(b, arith::RemUIOp::create(b, thread, indexConstant(b, 32)));
        Value pr = mul(b, warp, 16); // the warp's channels in the block
        Value length = memref::DimOp::create(b, x, 1);
        Value c0 = indexConstant(b, 0), c1 = indexConstant(b, 1);
        Value a = memref::LoadOp::create(b, A, ValueRange{h});
        Value bias =
            dtBias
                ? memref::LoadOp::create(b, dtBias, ValueRange{h}).getResult()
                : Value();

        Value Bs = allocShared(b, {Q, N + kPad}, element);
        Value Cs = allocShared(b, {Q, N + kPad}, element);
        Value Xs = allocShared(b, {Q, Pb + kPad}, element);
        Value Gs = allocShared(b, {Q, Q + kPad}, element);
        Value dts = allocShared(b, {Q}, f32);
        Value dAs = allocShared(b, {Q}, f32);
        Value cum = allocShared(b, {Q}, f32);
        Type seqType =
            seq ? cast<MemRefType>(seq.getType()).getElementType() : Type();
        // Positions 0 .. Q - 1 of the chunk, then the one before it.
        Value seqs = seq ? allocShared(b, {Q + 1}, seqType) : Value();

        // The state: n tile k of the warp's 16 channels, rows g and g + 8,
        // columns 2 tig + {0, 1}.
        auto stateIndices = [&](int64_t k, int64_t i, int64_t j) {
          return SmallVector<Value>{batch, h,
                                    add(b, add(b, p0, pr), add(b, l.g, 8 * i)),
                                    add(b, mul(b, l.tig, 2), 8 * k + j)};
        };
        SmallVector<Value> start;
        for (int64_t k = 0; k < nTiles; ++k) {
          Value acc = zeroAccumulator(b);
          if (h0)
            acc = mapAccumulator(b, acc, [&](int64_t i, int64_t j, Value) {
              return memref::LoadOp::create(b, h0, stateIndices(k, i, j))
                  .getResult();
            });
          start.push_back(acc);
        }

        auto rowOfGroup = [&](Value t, Value col) {
          return SmallVector<Value>{batch, t, group, col};
        };
        StagedOperand staged[] = {
            {Bm, Bs, N, rowOfGroup},
            {Cm, Cs, N, rowOfGroup},
            {x, Xs, Pb, [&](Value t, Value col) {
               return SmallVector<Value>{batch, t, h, add(b, p0, col)};
             }}};
        // Rows of x (P channels), B and C (N) are whole 16-byte groups, and
        // so is the block's first channel p0: the chunk moves as 16-byte
        // pieces when the buffers start aligned.
        Value aligned =
            arith::AndIOp::create(b, startsAligned(b, x),
                                  arith::AndIOp::create(b, startsAligned(b, Bm),
                                                        startsAligned(b, Cm)));

        Value chunks = arith::DivUIOp::create(b, add(b, length, Q - 1),
                                              indexConstant(b, Q));
        auto loop = scf::ForOp::create(b, c0, chunks, c1, start);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value t0 = mul(b, loop.getInductionVar(), Q);
          SmallVector<Value> S(loop.getRegionIterArgs());

          // Stage the chunk's B, C and x; dt, dt A and seq_idx per position.
          stageChunk(b, thread, threads, staged, Q, t0, length, aligned);
          Value last = arith::SubIOp::create(b, length, c1);
          emitIf(b, lessThan(b, thread, indexConstant(b, Q)), [&] {
            Value t = add(b, t0, thread);
            Value inside = lessThan(b, t, length);
            // Past the end: dt 0 (no decay, no input), the last sequence.
            Value clamped = arith::MinUIOp::create(b, t, last);
            Value dt = emitStep(
                b, op,
                memref::LoadOp::create(b, dtIn, ValueRange{batch, clamped, h}),
                bias, /*precise=*/false);
            dt = arith::SelectOp::create(b, inside, dt, f32Constant(b, 0));
            memref::StoreOp::create(b, dt, dts, ValueRange{thread});
            memref::StoreOp::create(b, arith::MulFOp::create(b, dt, a), dAs,
                                    ValueRange{thread});
            if (seq) {
              memref::StoreOp::create(
                  b, memref::LoadOp::create(b, seq, ValueRange{batch, clamped}),
                  seqs, ValueRange{thread});
              emitIf(b,
                     arith::CmpIOp::create(b, arith::CmpIPredicate::eq, thread,
                                           c0),
                     [&] {
                       Value before = arith::SubIOp::create(
                           b, arith::MaxUIOp::create(b, t0, c1), c1);
                       memref::StoreOp::create(
                           b,
                           memref::LoadOp::create(b, seq,
                                                  ValueRange{batch, before}),
                           seqs, ValueRange{indexConstant(b, Q)});
                     });
            }
          });
          gpu::BarrierOp::create(b);
          // cum_t = sum of dt A over positions 0 .. t of the chunk.
          emitIf(b, lessThan(b, thread, indexConstant(b, Q)), [&] {
            auto sum = scf::ForOp::create(b, c0, add(b, thread, 1), c1,
                                          ValueRange{f32Constant(b, 0)});
            {
              OpBuilder::InsertionGuard inner(b);
              b.setInsertionPointToStart(sum.getBody());
              scf::YieldOp::create(
                  b, ValueRange{arith::AddFOp::create(
                         b, sum.getRegionIterArg(0),
                         memref::LoadOp::create(
                             b, dAs, ValueRange{sum.getInductionVar()}))});
            }
            memref::StoreOp::create(b, sum.getResult(0), cum,
                                    ValueRange{thread});
          });
          gpu::BarrierOp::create(b);

          auto cumAt = [&](Value t) {
            return memref::LoadOp::create(b, cum, ValueRange{t}).getResult();
          };
          // exp(cum - cum_s) dt_s: position s's input as it reaches the
          // position whose running sum is `cum`.
          auto decayedStep = [&](Value cum, Value s) -> Value {
            return arith::MulFOp::create(
                b,
                math::ExpOp::create(b, arith::SubFOp::create(b, cum, cumAt(s))),
                memref::LoadOp::create(b, dts, ValueRange{s}));
          };
          auto sameSequence = [&](Value t, Value s) -> Value {
            return arith::CmpIOp::create(
                b, arith::CmpIPredicate::eq,
                memref::LoadOp::create(b, seqs, ValueRange{t}),
                memref::LoadOp::create(b, seqs, ValueRange{s}));
          };
          auto keepIf = [&](Value keep, Value v) -> Value {
            return arith::SelectOp::create(b, keep, v, f32Constant(b, 0));
          };
          Value endPos = indexConstant(b, Q - 1), before = indexConstant(b, Q);
          Value cumEnd = cumAt(endPos);

          // G, in 16 x 16 tiles on and below the diagonal, spread over the
          // warps; the masked, scaled values go to Gs in the input type.
          int64_t tile = 0;
          for (int64_t rt = 0; rt < Q / 16; ++rt)
            for (int64_t ct = 0; ct <= rt; ++ct, ++tile) {
              Value mine =
                  arith::CmpIOp::create(b, arith::CmpIPredicate::eq, warp,
                                        indexConstant(b, tile % warps));
              emitIf(b, mine, [&] {
                Value acc[2] = {zeroAccumulator(b), zeroAccumulator(b)};
                for (int64_t kk = 0; kk < N / 16; ++kk) {
                  Value col = indexConstant(b, 16 * kk);
                  Value aC = loadTiles(b, Cs, l, indexConstant(b, 16 * rt), col,
                                       false, true);
                  Value bB = loadTiles(b, Bs, l, indexConstant(b, 16 * ct), col,
                                       false, false);
                  mmaPair(b, aC, bB, acc[0], acc[1]);
                }
                for (int64_t k = 0; k < 2; ++k)
                  for (int64_t i = 0; i < 2; ++i) {
                    Value t = add(b, l.g, 16 * rt + 8 * i);
                    Value cumT = cumAt(t);
                    SmallVector<Value> pair;
                    for (int64_t j = 0; j < 2; ++j) {
                      Value s = add(b, mul(b, l.tig, 2), 16 * ct + 8 * k + j);
                      Value scale = decayedStep(cumT, s);
                      Value keep = arith::CmpIOp::create(
                          b, arith::CmpIPredicate::ule, s, t);
                      if (seq)
                        keep =
                            arith::AndIOp::create(b, keep, sameSequence(t, s));
                      pair.push_back(
                          keepIf(keep, arith::MulFOp::create(
                                           b, entry(b, acc[k], i, j), scale)));
                    }
                    Value v = vector::FromElementsOp::create(
                        b, VectorType::get({2}, f32), pair);
                    v = arith::TruncFOp::create(
                        b, VectorType::get({2}, element), v);
                    vector::StoreOp::create(
                        b, v, Gs,
                        ValueRange{t,
                                   add(b, mul(b, l.tig, 2), 16 * ct + 8 * k)});
                  }
              });
            }
          gpu::BarrierOp::create(b);

          // y^T of the warp's channels: first the state before the chunk,
          // S C^T, scaled per position by exp(cum_t); then G's share.
          SmallVector<Value> yT(tTiles, zeroAccumulator(b));
          for (int64_t kk = 0; kk < N / 16; ++kk) {
            Value aS = accumulatorsAsA(b, S[2 * kk], S[2 * kk + 1], element);
            for (int64_t jp = 0; jp < Q / 16; ++jp) {
              Value bC = loadTiles(b, Cs, l, indexConstant(b, 16 * jp),
                                   indexConstant(b, 16 * kk), false, false);
              mmaPair(b, aS, bC, yT[2 * jp], yT[2 * jp + 1]);
            }
          }
          for (int64_t jt = 0; jt < tTiles; ++jt) {
            Value decay[2];
            for (int64_t j = 0; j < 2; ++j) {
              Value t = add(b, mul(b, l.tig, 2), 8 * jt + j);
              decay[j] = math::ExpOp::create(b, cumAt(t));
              if (seq)
                decay[j] = keepIf(sameSequence(t, before), decay[j]);
            }
            yT[jt] = mapAccumulator(
                b, yT[jt], [&](int64_t, int64_t j, Value v) -> Value {
                  return arith::MulFOp::create(b, v, decay[j]);
                });
          }
          SmallVector<Value> xT; // x^T as A operands, k tile by k tile
          for (int64_t ks = 0; ks < Q / 16; ++ks)
            xT.push_back(loadTiles(b, Xs, l, indexConstant(b, 16 * ks), pr,
                                   true, false));
          for (int64_t jp = 0; jp < Q / 16; ++jp)
            for (int64_t ks = 0; ks <= jp; ++ks) {
              Value bG = loadTiles(b, Gs, l, indexConstant(b, 16 * jp),
                                   indexConstant(b, 16 * ks), false, false);
              mmaPair(b, xT[ks], bG, yT[2 * jp], yT[2 * jp + 1]);
            }

          // y = y + D x, times silu(z), for positions inside the sequence.
          for (int64_t jt = 0; jt < tTiles; ++jt)
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t j = 0; j < 2; ++j) {
                Value tl = add(b, mul(b, l.tig, 2), 8 * jt + j);
                Value t = add(b, t0, tl);
                Value pl = add(b, add(b, pr, l.g), 8 * i);
                Value p = add(b, p0, pl);
                Value out = entry(b, yT[jt], i, j);
                emitIf(b, lessThan(b, t, length), [&] {
                  Value input = loadF32(b, Xs, {tl, pl});
                  Value gate = z ? loadF32(b, z, {batch, t, h, p}) : Value();
                  Value result = emitSkipAndGate(b, out, input, D, h, p, gate);
                  memref::StoreOp::create(b, fromF32(b, result, element), y,
                                          ValueRange{batch, t, h, p});
                });
              }

          // The state after the chunk: decayed over the chunk, plus the
          // chunk's inputs x_s w_s B_s^T.
          Value decayAll = math::ExpOp::create(b, cumEnd);
          if (seq)
            decayAll = keepIf(sameSequence(endPos, before), decayAll);
          for (Value &acc : S)
            acc = mapAccumulator(b, acc, [&](int64_t, int64_t, Value v) {
              return arith::MulFOp::create(b, v, decayAll).getResult();
            });
          for (int64_t ks = 0; ks < Q / 16; ++ks) {
            // xT's k (position) pairs: 2 tig + {0, 1} in rows 0 and 1,
            // 8 more in rows 2 and 3.
            SmallVector<Value> weights;
            for (int64_t half8 = 0; half8 < 2; ++half8)
              for (int64_t j = 0; j < 2; ++j) {
                Value s = add(b, mul(b, l.tig, 2), 16 * ks + 8 * half8 + j);
                Value w = decayedStep(cumEnd, s);
                if (seq)
                  w = keepIf(sameSequence(s, endPos), w);
                weights.push_back(w);
              }
            Value wv = vector::FromElementsOp::create(
                b, VectorType::get({4, 2}, f32),
                ValueRange{weights[0], weights[1], weights[0], weights[1],
                           weights[2], weights[3], weights[2], weights[3]});
            Value xw = arith::TruncFOp::create(
                b, VectorType::get({4, 2}, element),
                arith::MulFOp::create(
                    b,
                    arith::ExtFOp::create(b, VectorType::get({4, 2}, f32),
                                          xT[ks]),
                    wv));
            for (int64_t np = 0; np < N / 16; ++np) {
              Value bB = loadTiles(b, Bs, l, indexConstant(b, 16 * ks),
                                   indexConstant(b, 16 * np), true, true);
              mmaPair(b, xw, bB, S[2 * np], S[2 * np + 1]);
            }
          }
          // The next chunk overwrites what this one read.
          gpu::BarrierOp::create(b);
          scf::YieldOp::create(b, S);
        }

        if (finalStates)
          for (int64_t k = 0; k < nTiles; ++k)
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t j = 0; j < 2; ++j)
                memref::StoreOp::create(b, entry(b, loop.getResult(k), i, j),
                                        finalStates, stateIndices(k, i, j));
      });
  SmallVector<Value> results = {y};
  if (finalStates)
    results.push_back(finalStates);
  replaceWithBuffers(b, op, results);
}

/// Why `chunk` and `channelBlock` (0: chosen per scan) can be no scan's
/// sizes, in the options' words; empty when some scan may take them.
std::string badSizes(int64_t chunk, int64_t channelBlock) {
  if (chunk && (chunk % 16 || chunk > 128))
    return "chunk = " + std::to_string(chunk) +
           " must be a multiple of 16 up to 128 (or 0: the largest that "
           "fits)";
  if (channelBlock && channelBlock % 16)
    return "channel-block = " + std::to_string(channelBlock) +
           " must be a multiple of 16 (or 0: up to 64)";
  return "";
}

struct MambaTileSsdChunkedPass
    : mamba::impl::MambaTileSsdChunkedBase<MambaTileSsdChunkedPass> {
  using Base::Base;

  void runOnOperation() override {
    std::string bad = badSizes(chunk, channelBlock);
    if (!bad.empty()) {
      getOperation()->emitError() << "mamba-tile-ssd-chunked: " << bad;
      return signalPassFailure();
    }
    std::vector<TunedSsd> tunings;
    std::string error;
    if (!parseTunedSsds(
            std::vector<std::string>(tunedSsds.begin(), tunedSsds.end()),
            tunings, error)) {
      getOperation()->emitError() << "mamba-tile-ssd-chunked: " << error;
      return signalPassFailure();
    }
    SmallVector<SsdScanOp> ops;
    getOperation()->walk([&](SsdScanOp op) { ops.push_back(op); });
    for (SsdScanOp op : ops) {
      // The op's kernel attribute (a choice made where the op was built:
      // the Python ops take it from a tuning database), else a tuned entry,
      // chooses the kernel and its sizes, which must fit: a choice that
      // does not is an error naming it, never a scan quietly tiled some
      // other way.
      std::optional<TunedSsd> chosen;
      std::string from;
      if (SsdKernelAttr kernel = op.getKernelAttr()) {
        chosen = TunedSsd{{},
                          kernel.getTensorCores() != 0,
                          kernel.getChunk(),
                          kernel.getChannelBlock()};
        from = "its kernel attribute";
      } else if ((chosen = findTunedSsd(op, tunings))) {
        from = "the tuned entry '" + formatTunedSsd(*chosen) + "'";
      }
      if (chosen) {
        if (!chosen->tensorCores)
          continue;
        std::string why = badSizes(chosen->chunk, chosen->channelBlock);
        std::optional<ChunkedSizes> sizes;
        if (!isSixteenBit(op))
          why = "x, B and C are not all bf16 or all f16";
        else if (why.empty())
          sizes = chooseSizes(op, chosen->chunk, chosen->channelBlock, why);
        if (!sizes) {
          op.emitOpError() << "cannot take the chunked kernel's sizes of "
                           << from << ": " << why;
          return signalPassFailure();
        }
        tileSsdChunked(op, *sizes);
        continue;
      }
      if (!untuned || !isSixteenBit(op))
        continue;
      std::string why;
      std::optional<ChunkedSizes> sizes =
          chooseSizes(op, chunk, channelBlock, why);
      // The others stay for mamba-tile-ssd-scan's per-step kernel; with
      // explicit sizes, a scan they do not fit is an error.
      if (!sizes) {
        if (chunk || channelBlock) {
          op.emitOpError() << "cannot take the chunked kernel's sizes: " << why;
          return signalPassFailure();
        }
        continue;
      }
      tileSsdChunked(op, *sizes);
    }
  }
};

} // namespace
