//===- LowerVectorTransfers.cpp - 1-D transfers to loads and stores -------===//

#include "mamba/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBALOWERVECTORTRANSFERS
#include "mamba/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

struct MambaLowerVectorTransfersPass
    : mamba::impl::MambaLowerVectorTransfersBase<
          MambaLowerVectorTransfersPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    // Transfers that may run out of bounds get an explicit mask first.
    vector::populateVectorMaskMaterializationPatterns(
        patterns, /*force32BitVectorIndices=*/false);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
