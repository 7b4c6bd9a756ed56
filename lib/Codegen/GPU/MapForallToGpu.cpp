//===- MapForallToGpu.cpp - block/thread forall nests to gpu.launch -------===//
//
// Upstream maps foralls to GPU ids with transform-dialect ops; this pass does
// the same for the simple nests our tiling passes emit, inside a normal pass
// pipeline, and also turns workgroup allocations into launch attributions.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAMAPFORALLTOGPU
#include "mamba/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

/// The GPU dimension (0, 1, 2 for x, y, z) each loop dimension maps to, or
/// failure when the mapping is not all of one kind `MappingAttr`.
template <typename MappingAttr>
FailureOr<SmallVector<unsigned>> mappedDims(scf::ForallOp loop) {
  std::optional<ArrayAttr> mapping = loop.getMapping();
  if (!mapping || static_cast<int64_t>(mapping->size()) != loop.getRank() ||
      mapping->size() > 3)
    return failure();
  SmallVector<unsigned> dims;
  for (Attribute attr : *mapping) {
    auto typed = dyn_cast<MappingAttr>(attr);
    if (!typed || typed.getMappingId() > 2)
      return failure();
    dims.push_back(typed.getMappingId());
  }
  return dims;
}

bool isNormalized(scf::ForallOp loop) {
  return loop.getOutputs().empty() &&
         llvm::all_of(
             loop.getMixedLowerBound(),
             [](OpFoldResult v) { return isConstantIntValue(v, 0); }) &&
         llvm::all_of(loop.getMixedStep(),
                      [](OpFoldResult v) { return isConstantIntValue(v, 1); });
}

LogicalResult mapNest(IRRewriter &rewriter, scf::ForallOp blocks) {
  FailureOr<SmallVector<unsigned>> blockDims =
      mappedDims<gpu::GPUBlockMappingAttr>(blocks);
  if (failed(blockDims) || !isNormalized(blocks))
    return blocks.emitOpError()
           << "mapped to GPU blocks must be normalized (lower bound 0, step "
              "1), have no shared outputs and map each dim to a distinct "
              "block id x, y or z";
  SmallVector<scf::ForallOp> threadLoops;
  for (Operation &op : blocks.getBody()->without_terminator())
    if (auto loop = dyn_cast<scf::ForallOp>(op))
      threadLoops.push_back(loop);
  if (threadLoops.size() != 1)
    return blocks.emitOpError()
           << "mapped to GPU blocks must hold exactly one thread loop, found "
           << threadLoops.size();
  scf::ForallOp threads = threadLoops.front();
  FailureOr<SmallVector<unsigned>> threadDims =
      mappedDims<gpu::GPUThreadMappingAttr>(threads);
  std::optional<SmallVector<int64_t>> blockSize =
      getConstantIntValues(threads.getMixedUpperBound());
  if (failed(threadDims) || !isNormalized(threads) || !blockSize)
    return threads.emitOpError()
           << "mapped to GPU threads must be normalized, have static trip "
              "counts and map each dim to a distinct thread id x, y or z";

  Location loc = blocks.getLoc();
  rewriter.setInsertionPoint(blocks);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> grid(3, one), block(3, one);
  for (auto [dim, ub] : llvm::zip(*blockDims, blocks.getMixedUpperBound()))
    grid[dim] = getValueOrCreateConstantIndexOp(rewriter, loc, ub);
  for (auto [dim, size] : llvm::zip(*threadDims, *blockSize))
    block[dim] = arith::ConstantIndexOp::create(rewriter, loc, size);
  auto launch = gpu::LaunchOp::create(rewriter, loc, grid[0], grid[1], grid[2],
                                      block[0], block[1], block[2]);
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(rewriter, loc);

  gpu::KernelDim3 blockIds = launch.getBlockIds();
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  auto pick = [](const gpu::KernelDim3 &ids, unsigned dim) {
    return dim == 0 ? ids.x : dim == 1 ? ids.y : ids.z;
  };
  SmallVector<Value> blockIvs, threadIvs;
  for (unsigned dim : *blockDims)
    blockIvs.push_back(pick(blockIds, dim));
  for (unsigned dim : *threadDims)
    threadIvs.push_back(pick(threadIds, dim));

  // Every thread runs the block loop's body; the thread loop's body is
  // inlined in its place.
  rewriter.eraseOp(threads.getBody()->getTerminator());
  rewriter.inlineBlockBefore(threads.getBody(), threads, threadIvs);
  rewriter.eraseOp(threads);
  rewriter.eraseOp(blocks.getBody()->getTerminator());
  rewriter.inlineBlockBefore(blocks.getBody(), terminator, blockIvs);
  rewriter.eraseOp(blocks);

  // Shared memory is declared statically, as a workgroup global the kernel
  // outliner copies into the GPU module. (A launch attribution would do too,
  // but loses the alignment that vector loads from the buffer rely on.)
  SmallVector<memref::AllocOp> allocs;
  launch.walk([&](memref::AllocOp alloc) {
    if (gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(alloc.getType()))
      allocs.push_back(alloc);
  });
  auto module = launch->getParentOfType<ModuleOp>();
  if (!allocs.empty() && !module)
    return launch.emitOpError() << "needs an enclosing module to declare "
                                   "its shared memory in";
  SymbolTable symbols(module);
  for (memref::AllocOp alloc : allocs) {
    if (!alloc.getType().hasStaticShape())
      return alloc.emitOpError()
             << "in workgroup memory must have a static shape to be "
                "declared with the kernel";
    rewriter.setInsertionPointToStart(module.getBody());
    uint64_t alignment = alloc.getAlignment().value_or(16);
    auto global = memref::GlobalOp::create(
        rewriter, alloc.getLoc(), "__mamba_shared",
        rewriter.getStringAttr("private"), alloc.getType(), Attribute(),
        /*constant=*/false, rewriter.getI64IntegerAttr(alignment));
    symbols.insert(global); // uniques the name
    rewriter.setInsertionPoint(alloc);
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        rewriter.eraseOp(user);
    rewriter.replaceOpWithNewOp<memref::GetGlobalOp>(alloc, alloc.getType(),
                                                     global.getSymName());
  }
  return success();
}

struct MambaMapForallToGpuPass
    : mamba::impl::MambaMapForallToGpuBase<MambaMapForallToGpuPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForallOp> nests;
    getOperation()->walk([&](scf::ForallOp loop) {
      if (succeeded(mappedDims<gpu::GPUBlockMappingAttr>(loop)))
        nests.push_back(loop);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp loop : nests)
      if (failed(mapNest(rewriter, loop)))
        return signalPassFailure();
  }
};

} // namespace
