//===- Pipelines.h - named pass pipelines of mamba-mlir ---------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H
#define MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace mamba {

/// Options of the compilation pipeline. Stages not built yet have no options;
/// tile sizes and the GPU target join here as those stages land.
struct MambaPipelineOptions
    : public PassPipelineOptions<MambaPipelineOptions> {
  PassOptions::Option<bool> decomposeComposites{
      *this, "decompose-composites",
      llvm::cl::desc("Rewrite composite ops (mamba.mixer) into primitive ops"),
      llvm::cl::init(true)};
};

/// Builds the compilation pipeline from tensor-level mamba IR. Today it runs
/// as far as primitive mamba ops + GEMMs (decomposition, canonicalization,
/// CSE); fusion, tiling, SRAM promotion and GPU lowering extend it.
void buildMambaPipeline(OpPassManager &pm, const MambaPipelineOptions &options);

/// Registers `mamba-pipeline` with mamba-opt's pass registry.
void registerMambaPipelines();

} // namespace mamba
} // namespace mlir

#endif // MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H
