//===- PromoteScanOperands.cpp - stage shared tiles in shared memory ------===//
//
// Every channel of a GPU block reads the same chunk of B and C. Read from
// global memory, each of those reads is a strided gather repeated by every
// thread; staged once per chunk in shared memory, transposed so a thread's
// states are contiguous and widened to f32 once, each read becomes a
// broadcast vector load. The copy is spread over the block's threads, with a
// barrier before it (nobody still reads the previous chunk) and one after
// (everybody sees the new one).
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/GPU/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAPROMOTESCANOPERANDS
#include "mamba/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

constexpr StringLiteral kPromoteAttr = "mamba.promote";

bool isMappedTo(scf::ForallOp loop, bool threads) {
  std::optional<ArrayAttr> mapping = loop.getMapping();
  if (!mapping || mapping->empty())
    return false;
  return threads ? isa<gpu::GPUThreadMappingAttr>((*mapping)[0])
                 : isa<gpu::GPUBlockMappingAttr>((*mapping)[0]);
}

/// A static upper bound of a tile size: a constant, or the constant operand
/// of the `min` that clamps a tail.
std::optional<int64_t> staticUpperBound(OpFoldResult size) {
  if (std::optional<int64_t> constant = getConstantIntValue(size))
    return constant;
  Operation *def = cast<Value>(size).getDefiningOp();
  if (!isa_and_nonnull<arith::MinUIOp, arith::MinSIOp>(def))
    return std::nullopt;
  std::optional<int64_t> lhs = getConstantIntValue(def->getOperand(0));
  std::optional<int64_t> rhs = getConstantIntValue(def->getOperand(1));
  if (lhs && rhs)
    return std::min(*lhs, *rhs);
  return lhs ? lhs : rhs;
}

/// One marked subview and what its promotion needs.
struct Promotion {
  memref::SubViewOp subview;
  SmallVector<vector::TransferReadOp> reads;
  SmallVector<vector::TransferWriteOp> writes;
  int64_t rows, cols; // static bounds of the [rows, cols] tile
  bool widen;         // every read is extended to f32 right away
  bool alongRows;     // the accesses run along dim 0: stage it transposed
  Value buffer;       // the workgroup buffer, once allocated

  bool isOutput() const { return !writes.empty(); }
  /// The buffer's [outer][inner] shape: transposed when accesses run along
  /// the rows, so that each access is contiguous.
  int64_t outer() const { return alongRows ? cols : rows; }
  int64_t inner() const { return alongRows ? rows : cols; }
};

/// Whether a 1-D transfer's single result dimension is tile dim 0.
std::optional<bool> runsAlongRows(AffineMap map) {
  if (map.getNumResults() != 1)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(map.getResult(0));
  if (!dim)
    return std::nullopt;
  return dim.getPosition() == 0;
}

FailureOr<Promotion> analyze(memref::SubViewOp subview) {
  Promotion p{subview, {}, {}, 0, 0, false, false, Value()};
  MemRefType type = subview.getType();
  if (type.getRank() != 2)
    return subview.emitOpError()
           << "marked for promotion must be a rank-2 tile, got " << type;
  SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
  // The rank-reduced result keeps the two non-unit sizes, in order.
  SmallVector<OpFoldResult> kept;
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  for (auto [i, size] : llvm::enumerate(sizes))
    if (!dropped.test(i))
      kept.push_back(size);
  std::optional<int64_t> rows = staticUpperBound(kept[0]);
  std::optional<int64_t> cols = staticUpperBound(kept[1]);
  if (!rows || !cols)
    return subview.emitOpError()
           << "marked for promotion needs static bounds on its sizes";
  p.rows = *rows;
  p.cols = *cols;

  bool allWidened = true;
  std::optional<bool> direction;
  // In program order, so that a diagnostic names the later access.
  SmallVector<Operation *> users(subview->getUsers());
  llvm::sort(users, [](Operation *a, Operation *b) {
    return a->getBlock() == b->getBlock() && a->isBeforeInBlock(b);
  });
  for (Operation *user : users) {
    AffineMap map;
    if (auto read = dyn_cast<vector::TransferReadOp>(user);
        read && read.getVectorType().getRank() == 1 && !read.getMask()) {
      p.reads.push_back(read);
      map = read.getPermutationMap();
      for (Operation *readUser : read->getUsers()) {
        auto ext = dyn_cast<arith::ExtFOp>(readUser);
        allWidened &= ext && getElementTypeOrSelf(ext.getType()).isF32();
      }
    } else if (auto write = dyn_cast<vector::TransferWriteOp>(user);
               write && write.getVectorType().getRank() == 1 &&
               !write.getMask() && write.getBase() == subview.getResult()) {
      p.writes.push_back(write);
      map = write.getPermutationMap();
    } else {
      return user->emitOpError()
             << "uses a tile marked for promotion; only unmasked 1-D "
                "vector.transfer_read and transfer_write can be redirected "
                "to shared memory";
    }
    std::optional<bool> along = runsAlongRows(map);
    if (!along || (direction && *direction != *along))
      return user->emitOpError()
             << "accesses a tile marked for promotion along another "
                "dimension than its other accesses; a staged tile has one "
                "contiguous direction";
    direction = along;
  }
  if (!p.reads.empty() && !p.writes.empty())
    return subview.emitOpError()
           << "marked for promotion is both read and written; a staged "
              "tile is either copied in or copied out";
  p.alongRows = direction.value_or(false);
  p.widen = allWidened && !p.reads.empty() && !type.getElementType().isF32();
  return p;
}

/// Elements per row of a staged buffer. Rows are padded to a whole, odd
/// number of 16-byte units: then the 8 threads of a quarter warp, reading
/// 16 bytes each from 8 consecutive rows, hit 8 different groups of banks.
int64_t paddedInner(int64_t inner, Type element) {
  int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  int64_t rowBytes = inner * bytes;
  if (rowBytes < 16)
    return inner;
  int64_t units = llvm::divideCeil(rowBytes, 16);
  if (units % 2 == 0)
    ++units;
  return units * 16 / bytes;
}

/// Allocates the tile's workgroup buffer once per block, before the thread
/// loop.
void allocateBuffer(Promotion &p, scf::ForallOp blocks, int64_t stages) {
  OpBuilder b(blocks.getBody(), blocks.getBody()->begin());
  Type element =
      p.widen ? b.getF32Type() : p.subview.getType().getElementType();
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  SmallVector<int64_t> shape = {p.outer(), paddedInner(p.inner(), element)};
  if (stages > 1)
    shape.insert(shape.begin(), stages);
  auto type =
      MemRefType::get(shape, element, MemRefLayoutAttrInterface(), workgroup);
  p.buffer = memref::AllocOp::create(b, p.subview.getLoc(), type,
                                     b.getI64IntegerAttr(16));
}

/// The indices of tile element (row, col) in the buffer.
SmallVector<Value> bufferIndices(const Promotion &p, Value row, Value col) {
  return p.alongRows ? SmallVector<Value>{col, row}
                     : SmallVector<Value>{row, col};
}

/// A loop over the tile's elements spread over the block's threads; columns
/// vary fastest so that consecutive threads touch consecutive elements of a
/// row in global memory (coalesced). `body` gets (row, col) of an element
/// inside the tile's valid part; `outside` (optional) those past it.
void distributeOverTile(
    ImplicitLocOpBuilder &b, const Promotion &p, Value thread,
    int64_t threadCount,
    function_ref<void(ImplicitLocOpBuilder &, Value, Value)> body,
    function_ref<void(ImplicitLocOpBuilder &, Value, Value)> outside) {
  Value total = arith::ConstantIndexOp::create(b, p.rows * p.cols);
  Value step = arith::ConstantIndexOp::create(b, threadCount);
  Value cols = arith::ConstantIndexOp::create(b, p.cols);
  memref::SubViewOp tile = p.subview;
  Value validRows = memref::DimOp::create(b, tile, 0);
  Value validCols = memref::DimOp::create(b, tile, 1);
  auto loop = scf::ForOp::create(b, thread, total, step);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value index = loop.getInductionVar();
  Value row = arith::DivUIOp::create(b, index, cols);
  Value col = arith::RemUIOp::create(b, index, cols);
  Value inside = arith::AndIOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, validRows),
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col, validCols));
  auto ifInside = scf::IfOp::create(b, inside, /*withElseRegion=*/!!outside);
  b.setInsertionPointToStart(ifInside.thenBlock());
  body(b, row, col);
  if (outside) {
    b.setInsertionPointToStart(ifInside.elseBlock());
    outside(b, row, col);
  }
}

/// Points the tile's reads at its buffer (at buffer slot `stage` when the
/// buffer is double, `stage` non-null). The buffer covers the whole static
/// tile, so every read is in bounds; widened reads lose their extf.
void redirectReads(Promotion &p, Value stage) {
  Type element = cast<MemRefType>(p.buffer.getType()).getElementType();
  for (vector::TransferReadOp read : p.reads) {
    OpBuilder rb(read);
    SmallVector<Value> indices;
    if (stage)
      indices.push_back(stage);
    llvm::append_range(
        indices, bufferIndices(p, read.getIndices()[0], read.getIndices()[1]));
    Value pad =
        arith::ConstantOp::create(rb, read.getLoc(), rb.getZeroAttr(element));
    AffineMap minor =
        AffineMap::getMinorIdentityMap(indices.size(), 1, rb.getContext());
    auto newRead = vector::TransferReadOp::create(
        rb, read.getLoc(), read.getVectorType().clone(element), p.buffer,
        indices, pad, minor, ArrayRef<bool>{true});
    if (p.widen) {
      for (Operation *user : llvm::make_early_inc_range(read->getUsers())) {
        user->getResult(0).replaceAllUsesWith(newRead);
        user->erase();
      }
    } else {
      read.getResult().replaceAllUsesWith(newRead);
    }
    read.erase();
  }
}

/// Stages the input tiles of one block of ops: a barrier (nobody still
/// reads the previous chunk), the copies, a barrier (everybody sees them),
/// then the reads redirected to the shared buffers.
LogicalResult promoteInputs(MutableArrayRef<Promotion> group, Value thread,
                            int64_t threadCount) {
  // The copies go after the last tile is taken and before the first read of
  // any tile; a read before a later tile is taken would see the buffer
  // before its copy.
  Block *block = group.front().subview->getBlock();
  Operation *last = group.front().subview;
  for (Promotion &p : group)
    if (last->isBeforeInBlock(p.subview))
      last = p.subview;
  for (Promotion &p : group)
    for (vector::TransferReadOp read : p.reads) {
      Operation *inBlock = block->findAncestorOpInBlock(*read);
      if (!inBlock || !last->isBeforeInBlock(inBlock))
        return read.emitOpError()
               << "reads a tile marked for promotion before every tile of "
                  "its block is taken; take the tiles first so that one "
                  "staging serves them all";
    }
  ImplicitLocOpBuilder b(last->getLoc(), last->getContext());
  b.setInsertionPointAfter(last);
  gpu::BarrierOp::create(b);
  for (Promotion &p : group) {
    Type element = cast<MemRefType>(p.buffer.getType()).getElementType();
    distributeOverTile(
        b, p, thread, threadCount,
        [&](ImplicitLocOpBuilder &b, Value row, Value col) {
          Value value =
              memref::LoadOp::create(b, p.subview, ValueRange{row, col});
          if (p.widen)
            value = arith::ExtFOp::create(b, element, value);
          memref::StoreOp::create(b, value, p.buffer,
                                  bufferIndices(p, row, col));
        },
        [&](ImplicitLocOpBuilder &b, Value row, Value col) {
          // Zeros past the end: the tiled scan zeroes dt there too.
          Value zero = arith::ConstantOp::create(b, b.getZeroAttr(element));
          memref::StoreOp::create(b, zero, p.buffer,
                                  bufferIndices(p, row, col));
        });
  }
  gpu::BarrierOp::create(b);

  for (Promotion &p : group) {
    redirectReads(p, /*stage=*/Value());
    p.subview->removeAttr(kPromoteAttr);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Double-buffered staging of the input tiles of a chunk loop.
//===----------------------------------------------------------------------===//

/// How one thread moves its share of a tile: `count` slots, slot i being
/// element group `thread + i * threads` of the tile, each group `width`
/// consecutive columns of one row (width 1: single elements).
struct ThreadShare {
  int64_t width, groupsPerRow, groups, count;
  bool guarded; // groups is not a multiple of the thread count
};

ThreadShare shareOf(const Promotion &p, int64_t threadCount) {
  ThreadShare share{1, p.cols, 0, 0, false};
  Type element =
      cast<MemRefType>(p.subview->getResult(0).getType()).getElementType();
  int64_t vector = 16 / (element.getIntOrFloatBitWidth() / 8);
  // 16-byte groups when the tile is copied as is (no widening, no
  // transposition) and its rows split into whole groups.
  if (!p.widen && !p.alongRows && vector > 1 && p.cols % vector == 0)
    share.width = vector;
  share.groupsPerRow = p.cols / share.width;
  share.groups = p.rows * share.groupsPerRow;
  share.count = llvm::divideCeil(share.groups, threadCount);
  share.guarded = share.groups % threadCount != 0;
  return share;
}

/// The tile's element type in registers between load and store.
VectorType slotType(const Promotion &p, const ThreadShare &share) {
  return VectorType::get(
      {share.width},
      cast<MemRefType>(p.subview->getResult(0).getType()).getElementType());
}

struct SlotPosition {
  Value row, col, exists; // exists: null when every slot exists
};

SlotPosition slotPosition(ImplicitLocOpBuilder &b, const ThreadShare &share,
                          Value thread, int64_t threadCount, int64_t slot) {
  Value group = arith::AddIOp::create(
      b, thread, arith::ConstantIndexOp::create(b, slot * threadCount));
  Value perRow = arith::ConstantIndexOp::create(b, share.groupsPerRow);
  Value row = arith::DivUIOp::create(b, group, perRow);
  Value col =
      arith::MulIOp::create(b, arith::RemUIOp::create(b, group, perRow),
                            arith::ConstantIndexOp::create(b, share.width));
  Value exists;
  if (share.guarded)
    exists =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, group,
                              arith::ConstantIndexOp::create(b, share.groups));
  return {row, col, exists};
}

/// Whether every 16-byte group of `tile` is 16-byte aligned in memory: its
/// start and its row stride are multiples of 16 bytes.
Value groupsAligned(ImplicitLocOpBuilder &b, memref::SubViewOp tile) {
  int64_t bytes = tile.getType().getElementTypeBitWidth() / 8;
  auto metadata = memref::ExtractStridedMetadataOp::create(b, tile);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, tile);
  Value start = arith::AddIOp::create(
      b, base,
      arith::MulIOp::create(b, metadata.getOffset(),
                            arith::ConstantIndexOp::create(b, bytes)));
  Value rowBytes = arith::MulIOp::create(
      b, metadata.getStrides()[0], arith::ConstantIndexOp::create(b, bytes));
  Value mask = arith::ConstantIndexOp::create(b, 15);
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value misaligned =
      arith::OrIOp::create(b, arith::AndIOp::create(b, start, mask),
                           arith::AndIOp::create(b, rowBytes, mask));
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, misaligned, zero);
}

/// Whether `tile` has its full static size and 16-byte aligned groups: the
/// case in which its share moves as whole 16-byte vectors.
Value fullAndAligned(ImplicitLocOpBuilder &b, const Promotion &p,
                     memref::SubViewOp tile) {
  Value full = arith::AndIOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                            memref::DimOp::create(b, tile, 0),
                            arith::ConstantIndexOp::create(b, p.rows)),
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                            memref::DimOp::create(b, tile, 1),
                            arith::ConstantIndexOp::create(b, p.cols)));
  return arith::AndIOp::create(b, full, groupsAligned(b, tile));
}

/// Loads this thread's share of `tile` into registers, zeros past the
/// tile's valid part: whole 16-byte vectors when the tile is full and
/// aligned, element by element otherwise.
SmallVector<Value> loadShare(ImplicitLocOpBuilder &b, const Promotion &p,
                             memref::SubViewOp tile, const ThreadShare &share,
                             Value thread, int64_t threadCount) {
  VectorType type = slotType(p, share);
  Type element = type.getElementType();
  Value validRows = memref::DimOp::create(b, tile, 0);
  Value validCols = memref::DimOp::create(b, tile, 1);
  Value zeroElement = arith::ConstantOp::create(b, b.getZeroAttr(element));
  Value zeroSlot = arith::ConstantOp::create(b, b.getZeroAttr(type));

  auto gather = [&](ImplicitLocOpBuilder &b) {
    SmallVector<Value> slots;
    for (int64_t i = 0; i < share.count; ++i) {
      SlotPosition at = slotPosition(b, share, thread, threadCount, i);
      SmallVector<Value> elements;
      for (int64_t e = 0; e < share.width; ++e) {
        Value col = arith::AddIOp::create(b, at.col,
                                          arith::ConstantIndexOp::create(b, e));
        Value inside = arith::AndIOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, at.row,
                                  validRows),
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, col,
                                  validCols));
        if (at.exists)
          inside = arith::AndIOp::create(b, inside, at.exists);
        auto ifInside = scf::IfOp::create(b, TypeRange{element}, inside,
                                          /*addThenBlock=*/true,
                                          /*addElseBlock=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifInside.thenBlock());
        scf::YieldOp::create(b, ValueRange{memref::LoadOp::create(
                                    b, tile, ValueRange{at.row, col})});
        b.setInsertionPointToStart(ifInside.elseBlock());
        scf::YieldOp::create(b, ValueRange{zeroElement});
        b.setInsertionPointAfter(ifInside);
        elements.push_back(ifInside.getResult(0));
      }
      slots.push_back(vector::FromElementsOp::create(b, type, elements));
    }
    return slots;
  };
  if (share.width == 1)
    return gather(b);

  Value fast = fullAndAligned(b, p, tile);
  SmallVector<Type> types(share.count, type);
  auto ifFast = scf::IfOp::create(b, types, fast, /*addThenBlock=*/true,
                                  /*addElseBlock=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifFast.thenBlock());
    SmallVector<Value> slots;
    for (int64_t i = 0; i < share.count; ++i) {
      SlotPosition at = slotPosition(b, share, thread, threadCount, i);
      if (!at.exists) {
        slots.push_back(vector::LoadOp::create(b, type, tile,
                                               ValueRange{at.row, at.col},
                                               false, llvm::MaybeAlign(16)));
        continue;
      }
      auto ifExists = scf::IfOp::create(b, TypeRange{type}, at.exists,
                                        /*addThenBlock=*/true,
                                        /*addElseBlock=*/true);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(ifExists.thenBlock());
      scf::YieldOp::create(b, ValueRange{vector::LoadOp::create(
                                  b, type, tile, ValueRange{at.row, at.col},
                                  false, llvm::MaybeAlign(16))});
      b.setInsertionPointToStart(ifExists.elseBlock());
      scf::YieldOp::create(b, ValueRange{zeroSlot});
      b.setInsertionPointAfter(ifExists);
      slots.push_back(ifExists.getResult(0));
    }
    scf::YieldOp::create(b, slots);
    b.setInsertionPointToStart(ifFast.elseBlock());
    scf::YieldOp::create(b, gather(b));
  }
  return SmallVector<Value>(ifFast.getResults());
}

/// Stores this thread's share, loaded by loadShare, into buffer slot
/// `stage` (widened and transposed as the buffer wants).
void storeShare(ImplicitLocOpBuilder &b, const Promotion &p,
                const ThreadShare &share, ArrayRef<Value> slots, Value stage,
                Value thread, int64_t threadCount) {
  Type bufferElement = cast<MemRefType>(p.buffer.getType()).getElementType();
  for (auto [i, value] : llvm::enumerate(slots)) {
    SlotPosition at = slotPosition(b, share, thread, threadCount, i);
    OpBuilder::InsertionGuard guard(b);
    if (at.exists) {
      auto ifExists = scf::IfOp::create(b, at.exists, false);
      b.setInsertionPointToStart(ifExists.thenBlock());
    }
    if (share.width > 1) {
      vector::StoreOp::create(b, value, p.buffer,
                              ValueRange{stage, at.row, at.col}, false,
                              llvm::MaybeAlign(16));
      continue;
    }
    Value element = vector::ExtractOp::create(b, value, 0);
    if (p.widen)
      element = arith::ExtFOp::create(b, bufferElement, element);
    SmallVector<Value> indices = {stage};
    llvm::append_range(indices, bufferIndices(p, at.row, at.col));
    memref::StoreOp::create(b, element, p.buffer, indices);
  }
}

/// Copies this thread's share of `tile` into buffer slot `stage` with
/// cp.async (nvgpu.device_async_copy, 16 bytes each) when the tile is full
/// and aligned, so that no register holds the data; otherwise loads and
/// stores it now. The caller commits the group.
void issueAsyncShare(ImplicitLocOpBuilder &b, const Promotion &p,
                     memref::SubViewOp tile, const ThreadShare &share,
                     Value stage, Value thread, int64_t threadCount) {
  auto ifFast = scf::IfOp::create(b, fullAndAligned(b, p, tile),
                                  /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifFast.thenBlock());
  for (int64_t i = 0; i < share.count; ++i) {
    SlotPosition at = slotPosition(b, share, thread, threadCount, i);
    OpBuilder::InsertionGuard inner(b);
    if (at.exists) {
      auto ifExists = scf::IfOp::create(b, at.exists, false);
      b.setInsertionPointToStart(ifExists.thenBlock());
    }
    nvgpu::DeviceAsyncCopyOp::create(
        b, p.buffer, ValueRange{stage, at.row, at.col}, tile,
        ValueRange{at.row, at.col}, b.getIndexAttr(share.width),
        /*srcElements=*/Value(), /*bypassL1=*/b.getUnitAttr());
  }
  b.setInsertionPointToStart(ifFast.elseBlock());
  SmallVector<Value> slots = loadShare(b, p, tile, share, thread, threadCount);
  storeShare(b, p, share, slots, stage, thread, threadCount);
}

/// Commits the cp.async copies this thread issued since the last commit.
void commitAsyncCopies(ImplicitLocOpBuilder &b) {
  nvgpu::DeviceAsyncCreateGroupOp::create(
      b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange{});
}

/// Waits for every cp.async group this thread committed. The wait names an
/// empty group of its own; cp.async.wait_group 0 waits for all of them.
void waitAsyncCopies(ImplicitLocOpBuilder &b) {
  auto group = nvgpu::DeviceAsyncCreateGroupOp::create(
      b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange{});
  nvgpu::DeviceAsyncWaitOp::create(b, group, b.getI32IntegerAttr(0));
}

/// The ops of `loop`'s body that `subview` is computed from, cloned at `b`
/// with the induction variable replaced by `iv`: the tile of another
/// iteration.
FailureOr<memref::SubViewOp> tileAtIteration(OpBuilder &b,
                                             memref::SubViewOp subview,
                                             scf::ForOp loop, Value iv) {
  Block *body = loop.getBody();
  BackwardSliceOptions options;
  options.inclusive = true;
  options.filter = [&](Operation *op) { return op->getBlock() == body; };
  SetVector<Operation *> slice;
  if (failed(getBackwardSlice(subview.getOperation(), &slice, options)))
    return subview.emitOpError() << "has an operand slice that cannot be "
                                    "cloned for the next chunk";
  IRMapping mapping;
  mapping.map(loop.getInductionVar(), iv);
  for (Operation *op : slice) {
    if (!isMemoryEffectFree(op))
      return op->emitOpError()
             << "computes a tile marked for promotion but has memory "
                "effects; it cannot be repeated for the next chunk";
    b.clone(*op, mapping);
  }
  auto tile = cast<memref::SubViewOp>(
      mapping.lookup(subview.getResult()).getDefiningOp());
  tile->removeAttr(kPromoteAttr);
  return tile;
}

/// Stages the input tiles of one chunk-loop body with two buffers each, so
/// that the next chunk's global loads are in flight while this chunk is
/// computed:
///
///   before the loop:  load chunk 0, store it into buffers[0]
///   iteration k:      barrier (chunk k stored by everyone; nobody reads
///                     buffers[(k+1) % 2] any more)
///                     load chunk k+1 into registers (if there is one)
///                     ... the body, reading buffers[k % 2] ...
///                     store the registers into buffers[(k+1) % 2]
///
/// One barrier per chunk instead of two, and the loads' latency is hidden
/// behind the compute. The loop must be normalized (lower bound 0, step 1).
LogicalResult promoteInputsDoubleBuffered(MutableArrayRef<Promotion> group,
                                          scf::ForOp loop, Value thread,
                                          int64_t threadCount,
                                          bool asyncCopies) {
  Block *body = loop.getBody();
  for (Promotion &p : group)
    for (vector::TransferReadOp read : p.reads)
      if (!body->findAncestorOpInBlock(*read))
        return read.emitOpError()
               << "reads a tile marked for promotion outside the loop "
                  "body that takes it";

  SmallVector<ThreadShare> shares;
  SmallVector<bool> async;
  for (Promotion &p : group) {
    shares.push_back(shareOf(p, threadCount));
    // Tiles copied as they are go through cp.async; widened or transposed
    // ones through registers.
    async.push_back(asyncCopies && shares.back().width > 1);
  }
  bool anyAsync = llvm::is_contained(async, true);

  // Before the loop: chunk 0 into stage 0.
  ImplicitLocOpBuilder b(loop.getLoc(), loop);
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  Value two = arith::ConstantIndexOp::create(b, 2);
  {
    Value hasFirst =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                              loop.getLowerBound(), loop.getUpperBound());
    auto ifFirst = scf::IfOp::create(b, hasFirst, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifFirst.thenBlock());
    for (auto [p, share, isAsync] : llvm::zip(group, shares, async)) {
      FailureOr<memref::SubViewOp> tile =
          tileAtIteration(b, p.subview, loop, loop.getLowerBound());
      if (failed(tile))
        return failure();
      if (isAsync) {
        issueAsyncShare(b, p, *tile, share, zero, thread, threadCount);
        continue;
      }
      SmallVector<Value> slots =
          loadShare(b, p, *tile, share, thread, threadCount);
      storeShare(b, p, share, slots, zero, thread, threadCount);
    }
    if (anyAsync)
      commitAsyncCopies(b);
  }

  // At the top of the body: the barrier, then the next chunk's loads.
  b.setInsertionPointToStart(body);
  Value iv = loop.getInductionVar();
  Value stage = arith::RemUIOp::create(b, iv, two);
  Value nextStage = arith::SubIOp::create(b, one, stage);
  if (anyAsync)
    waitAsyncCopies(b);
  gpu::BarrierOp::create(b);
  Value next = arith::AddIOp::create(b, iv, one);
  Value hasNext = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, next,
                                        loop.getUpperBound());
  SmallVector<Type> slotTypes;
  for (auto [p, share, isAsync] : llvm::zip(group, shares, async))
    if (!isAsync)
      slotTypes.append(share.count, slotType(p, share));
  auto ifNext = scf::IfOp::create(b, slotTypes, hasNext, true, true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifNext.thenBlock());
    SmallVector<Value> all;
    for (auto [p, share, isAsync] : llvm::zip(group, shares, async)) {
      FailureOr<memref::SubViewOp> tile =
          tileAtIteration(b, p.subview, loop, next);
      if (failed(tile))
        return failure();
      // Into the other stage, which nobody reads since the barrier.
      if (isAsync)
        issueAsyncShare(b, p, *tile, share, nextStage, thread, threadCount);
      else
        llvm::append_range(all,
                           loadShare(b, p, *tile, share, thread, threadCount));
    }
    if (anyAsync)
      commitAsyncCopies(b);
    scf::YieldOp::create(b, all);
    b.setInsertionPointToStart(ifNext.elseBlock());
    SmallVector<Value> zeros;
    for (Type type : slotTypes)
      zeros.push_back(
          arith::ConstantOp::create(b, b.getZeroAttr(cast<VectorType>(type))));
    scf::YieldOp::create(b, zeros);
  }

  // At the end of the body: the next chunk into the other stage.
  b.setInsertionPoint(body->getTerminator());
  {
    auto ifStore = scf::IfOp::create(b, hasNext, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifStore.thenBlock());
    unsigned first = 0;
    for (auto [p, share, isAsync] : llvm::zip(group, shares, async)) {
      if (isAsync)
        continue;
      SmallVector<Value> slots(ifNext->getResults().slice(first, share.count));
      storeShare(b, p, share, slots, nextStage, thread, threadCount);
      first += share.count;
    }
  }

  // The reads go to this chunk's stage; the tiles themselves are dead.
  for (Promotion &p : group) {
    redirectReads(p, stage);
    if (p.subview->use_empty())
      p.subview->erase();
    else
      p.subview->removeAttr(kPromoteAttr);
  }
  return success();
}

/// Stages an output tile: the writes go to the shared buffer, then after
/// the last of them a barrier (every thread has written) and a copy to
/// global memory spread over the threads. `needsTrailingBarrier`: no input
/// staging later in the loop separates this copy from the next chunk's
/// writes, so a barrier must.
void promoteOutput(Promotion &p, Value thread, int64_t threadCount,
                   bool needsTrailingBarrier) {
  for (vector::TransferWriteOp write : p.writes) {
    OpBuilder wb(write);
    AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, wb.getContext());
    vector::TransferWriteOp::create(
        wb, write.getLoc(), write.getVector(), p.buffer,
        bufferIndices(p, write.getIndices()[0], write.getIndices()[1]), minor,
        ArrayRef<bool>{true});
  }
  Operation *lastWrite = p.writes.back();
  for (vector::TransferWriteOp write : p.writes)
    if (lastWrite->isBeforeInBlock(write))
      lastWrite = write;
  ImplicitLocOpBuilder b(lastWrite->getLoc(), lastWrite->getContext());
  b.setInsertionPointAfter(lastWrite);
  for (vector::TransferWriteOp write : p.writes)
    write.erase();
  gpu::BarrierOp::create(b);
  distributeOverTile(
      b, p, thread, threadCount,
      [&](ImplicitLocOpBuilder &b, Value row, Value col) {
        Value value =
            memref::LoadOp::create(b, p.buffer, bufferIndices(p, row, col));
        memref::StoreOp::create(b, value, p.subview, ValueRange{row, col});
      },
      nullptr);
  if (needsTrailingBarrier)
    gpu::BarrierOp::create(b);
  p.subview->removeAttr(kPromoteAttr);
}

LogicalResult promoteBlock(MutableArrayRef<Promotion> promotions,
                           scf::ForallOp threads, scf::ForallOp blocks,
                           bool doubleBuffering, bool asyncCopies) {
  std::optional<SmallVector<int64_t>> threadCounts =
      getConstantIntValues(threads.getMixedUpperBound());
  if (!threadCounts || threads.getRank() != 1)
    return threads.emitOpError()
           << "must be a 1-D thread loop with a static size to distribute "
              "copies over";
  int64_t threadCount = (*threadCounts)[0];
  Value thread = threads.getInductionVar(0);

  // Tiles taken in a normalized loop body are double-buffered.
  auto loop = dyn_cast<scf::ForOp>(promotions.front().subview->getParentOp());
  bool doubleBuffer = doubleBuffering && loop &&
                      isConstantIntValue(loop.getStep(), 1) &&
                      isConstantIntValue(loop.getLowerBound(), 0);
  // In a loop, the next iteration's input barrier orders this iteration's
  // copy-out before the next writes to the buffer. (Asked before the input
  // staging, which erases the input tiles.)
  bool inLoop = isa<scf::ForOp>(promotions.front().subview->getParentOp());
  SmallVector<Promotion> inputs, outputs;
  for (Promotion &p : promotions) {
    bool staged = doubleBuffer && !p.isOutput();
    allocateBuffer(p, blocks, staged ? 2 : 1);
    (p.isOutput() ? outputs : inputs).push_back(p);
  }
  if (!inputs.empty()) {
    LogicalResult done =
        doubleBuffer ? promoteInputsDoubleBuffered(inputs, loop, thread,
                                                   threadCount, asyncCopies)
                     : promoteInputs(inputs, thread, threadCount);
    if (failed(done))
      return failure();
  }
  for (Promotion &p : outputs)
    promoteOutput(p, thread, threadCount,
                  /*needsTrailingBarrier=*/inLoop && inputs.empty());
  return success();
}

} // namespace

namespace {

struct MambaPromoteScanOperandsPass
    : mamba::impl::MambaPromoteScanOperandsBase<MambaPromoteScanOperandsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Group the marked subviews by the block of ops they sit in, so that the
    // copies of one chunk share their two barriers.
    llvm::MapVector<Block *, SmallVector<memref::SubViewOp>> groups;
    getOperation()->walk([&](memref::SubViewOp subview) {
      if (subview->hasAttr(kPromoteAttr))
        groups[subview->getBlock()].push_back(subview);
    });
    for (auto &[block, subviews] : groups) {
      auto threads = subviews.front()->getParentOfType<scf::ForallOp>();
      while (threads && !isMappedTo(threads, /*threads=*/true))
        threads = threads->getParentOfType<scf::ForallOp>();
      auto blocks =
          threads ? threads->getParentOfType<scf::ForallOp>() : nullptr;
      if (!threads || !blocks || !isMappedTo(blocks, /*threads=*/false)) {
        subviews.front().emitOpError()
            << "marked for promotion must sit in a thread loop inside a "
               "block loop";
        return signalPassFailure();
      }
      SmallVector<Promotion> promotions;
      for (memref::SubViewOp subview : subviews) {
        FailureOr<Promotion> p = analyze(subview);
        if (failed(p))
          return signalPassFailure();
        promotions.push_back(*p);
      }
      if (failed(promoteBlock(promotions, threads, blocks, doubleBuffer,
                              asyncCopy)))
        return signalPassFailure();
    }
  }
};

} // namespace
