//===- OutlineKernels.cpp - Kernel ops of a model into kernel functions ---===//
//
// The planner (lib/Target/ModelPlan.cpp) turns an entry's calls into kernel
// steps and compiles the called functions; doing the outlining here, as a
// pass, lets mamba-opt show the split between host plan and kernels, and
// keeps the planner a reader of IR rather than a rewriter of it.
//
//===----------------------------------------------------------------------===//

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"
#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAOUTLINEKERNELS
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

bool isKernelOp(Operation *op) {
  return isa<EmbeddingOp, RmsNormOp, CausalConv1dOp, SelectiveScanOp,
             ConvStateUpdateOp, SelectiveStateUpdateOp, SelectiveStepOp,
             ArgmaxOp, SsdScanOp, SsdStateUpdateOp, RmsNormGatedOp>(op);
}

bool isEntry(func::FuncOp func) {
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (func.getArgAttr(i, "mamba.input"))
      return true;
  return false;
}

class Outliner {
public:
  explicit Outliner(ModuleOp module)
      : module(module), builder(module.getContext()) {
    // Names already taken (a rerun of the pass, or user functions) are
    // skipped rather than shadowed.
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr("mamba.kernel"))
        byKey[keyOf(&func.getBody().front().front())] = func.getSymName().str();
    builder.setInsertionPointToEnd(module.getBody());
  }

  /// The kernel function computing `op` (created on first sight).
  StringRef kernelFor(Operation *op) {
    std::string key = keyOf(op);
    auto it = byKey.find(key);
    if (it != byKey.end())
      return it->second;
    std::string name;
    do {
      name = "k" + std::to_string(next++) + "_" +
             op->getName().stripDialect().str();
    } while (module.lookupSymbol(name));
    auto func = func::FuncOp::create(
        builder, op->getLoc(), name,
        builder.getFunctionType(op->getOperandTypes(), op->getResultTypes()));
    func.setPrivate();
    func->setAttr("mamba.kernel", builder.getUnitAttr());
    OpBuilder body = OpBuilder::atBlockBegin(func.addEntryBlock());
    // Operand by operand, not value by value: an op that reads one value
    // twice still reads argument i for operand i.
    Operation *copy = body.clone(*op);
    copy->setOperands(func.getArguments());
    func::ReturnOp::create(body, op->getLoc(), copy->getResults());
    return byKey.emplace(key, name).first->second;
  }

  /// The split-tiling function of a scan that chose no tiling, if it can
  /// have one (static channels, N a multiple of the split's states per
  /// thread).
  std::optional<std::string> splitVariant(SelectiveScanOp scan) {
    auto u = cast<RankedTensorType>(scan.getU().getType());
    auto a = cast<RankedTensorType>(scan.getA().getType());
    if (scan.getTilingAttr() || u.isDynamicDim(1) || a.isDynamicDim(1) ||
        a.getDimSize(1) % tiling::kSplitScanStatesPerThread != 0)
      return std::nullopt;
    Operation *clone = scan->clone();
    cast<SelectiveScanOp>(clone).setTilingAttr(ScanTilingAttr::get(
        scan.getContext(), tiling::kSplitScanChannelsPerBlock,
        tiling::kSplitScanStatesPerThread, tiling::kSplitScanChunkLength,
        tiling::kSplitScanSequenceSplits));
    // So that a tuned split tiling (the tile pass's tuned-split) can
    // replace the default one above.
    clone->setAttr(kSplitVariantScanAttr, UnitAttr::get(scan.getContext()));
    std::string name = kernelFor(clone).str();
    clone->destroy();
    return name;
  }

  void outline(func::FuncOp entry, bool splitVariants) {
    SmallVector<Operation *> ops;
    entry.walk([&](Operation *op) {
      if (isKernelOp(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      std::string callee = kernelFor(op).str();
      std::optional<std::string> split;
      if (auto scan = dyn_cast<SelectiveScanOp>(op); scan && splitVariants)
        split = splitVariant(scan);
      OpBuilder at(op);
      auto call = func::CallOp::create(at, op->getLoc(), callee,
                                       op->getResultTypes(), op->getOperands());
      if (split)
        call->setAttr("mamba.split_variant",
                      FlatSymbolRefAttr::get(at.getContext(), *split));
      op->replaceAllUsesWith(call.getResults());
      op->erase();
    }
  }

private:
  static std::string keyOf(Operation *op) {
    std::string key;
    llvm::raw_string_ostream os(key);
    os << op->getName() << op->getAttrDictionary() << "(";
    llvm::interleaveComma(op->getOperandTypes(), os);
    os << ")->(";
    llvm::interleaveComma(op->getResultTypes(), os);
    os << ")";
    return key;
  }

  ModuleOp module;
  OpBuilder builder;
  std::map<std::string, std::string> byKey;
  unsigned next = 0;
};

struct OutlineKernelsPass
    : mamba::impl::MambaOutlineKernelsBase<OutlineKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (isEntry(func))
        entries.push_back(func);
    Outliner outliner(module);
    for (func::FuncOp entry : entries)
      outliner.outline(entry, splitVariants);
  }
};

} // namespace
