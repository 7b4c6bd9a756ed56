//===- Pipelines.h - named pass pipelines of mamba-mlir ---------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H
#define MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"

#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <optional>

namespace mlir {
class OpPassManager;
class Pass;

namespace mamba {

/// Options of the frontend pipeline (tensor-level rewrites before tiling).
struct MambaPipelineOptions : public PassPipelineOptions<MambaPipelineOptions> {
  PassOptions::Option<bool> decomposeComposites{
      *this, "decompose-composites",
      llvm::cl::desc("Rewrite composite ops (mamba.mixer) into primitive ops"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseStep{
      *this, "fuse-step",
      llvm::cl::desc("Decompose mamba.mixer_step into its projections around "
                     "one fused mamba.selective_step (else into primitives)"),
      llvm::cl::init(true)};
};

/// Builds the frontend pipeline on tensor-level mamba IR: composite ops
/// decomposed into primitive mamba ops and GEMMs, shape queries resolved,
/// elementwise ops around a scan fused into it, GEMM layouts folded, with
/// canonicalization and CSE between. mamba-gpu-pipeline tiles and
/// lowers what it leaves.
void buildMambaPipeline(OpPassManager &pm, const MambaPipelineOptions &options);

/// Options of the GPU kernel pipeline: tile sizes (defaults for ops without
/// a tiling attribute) and the target.
struct MambaGpuPipelineOptions
    : public PassPipelineOptions<MambaGpuPipelineOptions> {
  PassOptions::Option<int64_t> channelsPerBlock{
      *this, "channels-per-block",
      llvm::cl::desc("Scan channels per GPU block"),
      llvm::cl::init(tiling::kScanChannelsPerBlock)};
  PassOptions::Option<int64_t> statesPerThread{
      *this, "states-per-thread",
      llvm::cl::desc("Scan states per thread (0: all N)"),
      llvm::cl::init(tiling::kScanStatesPerThread)};
  PassOptions::Option<int64_t> chunkLength{
      *this, "chunk-length",
      llvm::cl::desc("Scan timesteps per shared-memory chunk"),
      llvm::cl::init(tiling::kScanChunkLength)};
  PassOptions::Option<int64_t> sequenceSplits{
      *this, "sequence-splits",
      llvm::cl::desc("Scan sequence segments run by different blocks"),
      llvm::cl::init(tiling::kScanSequenceSplits)};
  PassOptions::ListOption<std::string> tunedTilings{
      *this, "tuned",
      llvm::cl::desc("Scan tilings per signature "
                     "(D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS)")};
  PassOptions::Option<bool> ssdTensorCores{
      *this, "ssd-tensor-cores",
      llvm::cl::desc("16-bit SSD scans as chunked tensor-core products "
                     "(mamba-tile-ssd-chunked, sm_80 on; opt-in until it has "
                     "run on a GPU); else the per-step recurrence"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> ssdChunk{
      *this, "ssd-chunk",
      llvm::cl::desc("SSD positions per chunk (0: the largest that fits)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> ssdChannelBlock{
      *this, "ssd-channel-block",
      llvm::cl::desc("SSD channels of a head per block (0: up to 64)"),
      llvm::cl::init(0)};
  PassOptions::ListOption<std::string> ssdTuned{
      *this, "ssd-tuned",
      llvm::cl::desc("SSD kernels per signature (H:P:N:G:TYPE=TC:CHUNK:BLOCK; "
                     "TC 1 the chunked tensor-core kernel, sm_80 on, 0 the "
                     "per-step one), whatever ssd-tensor-cores says")};
  PassOptions::ListOption<std::string> tunedSplitTilings{
      *this, "tuned-split",
      llvm::cl::desc("Tilings per signature, as tuned, for the scans of a "
                     "model's split-sequence variants")};
  PassOptions::Option<bool> promote{
      *this, "promote", llvm::cl::desc("Stage B/C chunks in shared memory"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> doubleBuffer{
      *this, "double-buffer",
      llvm::cl::desc("Overlap each chunk's loads with the previous chunk's "
                     "compute (two buffers per staged tile)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> maxRegisters{
      *this, "max-registers",
      llvm::cl::desc("Registers per thread of each kernel (0: ptxas decides)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> flushDenormals{
      *this, "ftz",
      llvm::cl::desc("Flush f32 denormals to zero in kernels (single-"
                     "instruction exp2 and friends, as nvcc --use_fast_math)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (sm_80, sm_90, sm_90a)"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (PTX ISA version)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel image format: isa (PTX), bin (cubin), fatbin"),
      llvm::cl::init("isa")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit: libdevice and ptxas come from here"),
      llvm::cl::init("/usr/local/cuda")};
};

/// The compute capability of an "sm_90a"-style chip name times ten (90),
/// or std::nullopt when `chip` is not one.
std::optional<unsigned> chipComputeCapability(llvm::StringRef chip);

/// Compiles the kernel ops of a module (scan, conv, norms, embedding, the
/// decode steps, argmax) into GPU kernels: tiling, SRAM promotion, mapping
/// to gpu.launch, bufferization, outlining, NVVM lowering and serialization
/// into a gpu.binary (format as asked).
void buildMambaGpuPipeline(OpPassManager &pm,
                           const MambaGpuPipelineOptions &options);
/// buildMambaGpuPipeline up to the kernels in the LLVM dialect, and the
/// serialization after it: one lowering can be serialized in several
/// formats (a cubin and PTX) from clones.
void buildMambaGpuLowering(OpPassManager &pm,
                           const MambaGpuPipelineOptions &options);
void buildMambaGpuSerialization(OpPassManager &pm,
                                const MambaGpuPipelineOptions &options);

/// What both targets do after tiling: the block loops to gpu.launch,
/// bufferization at function boundaries, and each launch outlined into a
/// gpu.module kernel whose parameters are exactly its buffers.
void buildMambaKernelOutlining(OpPassManager &pm);

/// The CPU target's tile sizes (mamba-tile-selective-scan-cpu's options).
struct MambaCpuPipelineOptions
    : public PassPipelineOptions<MambaCpuPipelineOptions> {
  PassOptions::Option<int64_t> channelsPerBlock{
      *this, "channels-per-block",
      llvm::cl::desc("Scan channels per block: the vector lanes"),
      llvm::cl::init(tiling::kCpuScanChannelsPerBlock)};
  PassOptions::Option<int64_t> chunkLength{
      *this, "chunk-length",
      llvm::cl::desc("Scan timesteps per chunk (staged together)"),
      llvm::cl::init(tiling::kCpuScanChunkLength)};
  PassOptions::ListOption<std::string> tunedTilings{
      *this, "tuned",
      llvm::cl::desc("Scan tilings per signature "
                     "(D:N:G:TYPE=CHANNELS:N:CHUNK:1)")};
};

/// Tiles the kernel ops for the host CPU (a block is one thread: one call
/// of a host kernel) and outlines them into gpu.module kernels, as far as
/// the GPU pipeline goes before NVVM; compileHostKernels
/// (Codegen/CPU/HostKernels.h) then compiles those for the host. Ops
/// without a CPU tiling yet are reported by name and fail the pipeline.
void buildMambaCpuLowering(OpPassManager &pm,
                           const MambaCpuPipelineOptions &options);

/// Fails on the first mamba op that the target's ("cpu" or "gpu") tiling
/// passes do not turn into a kernel, naming it (a GEMM in kernel-only IR, an
/// op without a lowering for the target yet). Both lowerings run it after
/// the front end.
std::unique_ptr<Pass> createCheckKernelOpsPass(llvm::StringRef target);

/// Registers `mamba-pipeline`, `mamba-gpu-pipeline` and
/// `mamba-cpu-pipeline` with the pass registry.
void registerMambaPipelines();

} // namespace mamba
} // namespace mlir

#endif // MAMBA_DIALECT_MAMBA_PIPELINES_PIPELINES_H
