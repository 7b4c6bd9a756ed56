//===- TilingDefaults.h - The one place tile sizes default from -*- C++ -*-===//
//
// The tile sizes an op gets when nothing chose others (no tiling attribute,
// no option): read by the tiling passes' options, the GPU pipeline's
// options, mamba-compile's flags and the model planner's variants, so that
// a tuner that changes a default changes it everywhere at once.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CONVERSION_MAMBATOKERNELS_TILINGDEFAULTS_H
#define MAMBA_CONVERSION_MAMBATOKERNELS_TILINGDEFAULTS_H

#include <cstdint>

namespace mlir::mamba::tiling {

/// The selective scan: 64 channels of a batch element per block, every
/// state of a channel in its thread's registers, 16-step chunks staged in
/// shared memory, one pass over the sequence (bench/RESULTS.md: the best
/// measured tile once the batch fills the GPU).
constexpr int64_t kScanChannelsPerBlock = 64;
constexpr int64_t kScanStatesPerThread = 0; ///< 0: all N
constexpr int64_t kScanChunkLength = 16;
constexpr int64_t kScanSequenceSplits = 1;

/// The scan variant for batches whose default tiling gives fewer blocks
/// than the GPU has multiprocessors: 32 channels per block, 8 states per
/// thread, 16-step chunks, the sequence split in 16 segments (the best
/// measured for b = 1, d = 1536, L = 2048).
constexpr int64_t kSplitScanChannelsPerBlock = 32;
constexpr int64_t kSplitScanStatesPerThread = 8;
constexpr int64_t kSplitScanChunkLength = 16;
constexpr int64_t kSplitScanSequenceSplits = 16;

/// Threads per block of the one-kernel ops (0 for rms_norm: chosen from the
/// row's size, see TileRmsNorm.cpp).
constexpr int64_t kRmsNormThreadsPerBlock = 0;
constexpr int64_t kCausalConv1dThreadsPerBlock = 128;
constexpr int64_t kArgmaxThreadsPerBlock = 512;
constexpr int64_t kEmbeddingThreadsPerBlock = 128;
constexpr int64_t kDecodeStepThreadsPerBlock = 128;

/// The CPU target's block: one thread, one call of a host kernel, so block
/// reductions and shuffles become a thread's own loops.
constexpr int64_t kCpuThreadsPerBlock = 1;
/// The CPU target's scan (mamba-tile-selective-scan-cpu): 8 channels per
/// block as the lanes of an AVX2 vector, 32-step chunks.
constexpr int64_t kCpuScanChannelsPerBlock = 8;
constexpr int64_t kCpuScanChunkLength = 32;
/// The CPU target's causal conv1d (mamba-tile-causal-conv1d-cpu): 16
/// outputs per vector, two AVX2 registers of f32.
constexpr int64_t kCpuConvTimestepsPerVector = 16;

} // namespace mlir::mamba::tiling

#endif // MAMBA_CONVERSION_MAMBATOKERNELS_TILINGDEFAULTS_H
