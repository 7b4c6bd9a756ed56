//===- TuningSpace.cpp - The scan tilings mamba-tune tries ----------------===//

#include "TuningSpace.h"

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"

namespace mamba::tune {

namespace tiling = mlir::mamba::tiling;

std::string Candidate::name() const {
  return "cb" + std::to_string(channelsPerBlock) + "_s" +
         std::to_string(statesPerThread) + "_t" + std::to_string(chunkLength) +
         "_q" + std::to_string(sequenceSplits);
}

std::map<std::string, int64_t> Candidate::config() const {
  return {{"channels_per_block", channelsPerBlock},
          {"states_per_thread", statesPerThread},
          {"chunk_length", chunkLength},
          {"sequence_splits", sequenceSplits}};
}

namespace {

/// Halves `channels` until it divides the channels per group, as the
/// compile driver does for a default (Compile.cpp's fitChannelsPerBlock).
int64_t fitToGroups(int64_t channels, const ScanShape &shape) {
  const int64_t perGroup = shape.groups > 1 ? shape.channels / shape.groups : 0;
  while (channels > 1 && perGroup && perGroup % channels != 0)
    channels /= 2;
  return channels;
}

bool dividesGroups(int64_t channels, const ScanShape &shape) {
  return shape.groups <= 1 || (shape.channels / shape.groups) % channels == 0;
}

} // namespace

Candidate defaultCandidate(bool gpu, const ScanShape &shape) {
  Candidate c;
  if (gpu) {
    c.channelsPerBlock = fitToGroups(tiling::kScanChannelsPerBlock, shape);
    c.statesPerThread = tiling::kScanStatesPerThread == 0
                            ? shape.states
                            : tiling::kScanStatesPerThread;
    c.chunkLength = tiling::kScanChunkLength;
    c.sequenceSplits = tiling::kScanSequenceSplits;
  } else {
    c.channelsPerBlock = fitToGroups(tiling::kCpuScanChannelsPerBlock, shape);
    c.statesPerThread = shape.states;
    c.chunkLength = tiling::kCpuScanChunkLength;
  }
  return c;
}

std::vector<Candidate> scanCandidates(bool gpu, const ScanShape &shape) {
  std::vector<Candidate> out = {defaultCandidate(gpu, shape)};
  auto add = [&](const Candidate &c) {
    for (const Candidate &seen : out)
      if (seen == c)
        return;
    out.push_back(c);
  };
  if (!gpu) {
    // A block is one thread; its channels are vector lanes: 4 (SSE) to 16
    // (an AVX-512 register). Chunks amortize the staging. Wider lanes and
    // longer chunks compile for minutes (the transposes and the unrolled
    // chunk grow as their product: 32 lanes x 128 steps took 82 s).
    for (int64_t lanes : {4, 8, 16})
      for (int64_t chunk : {16, 32, 64})
        if (dividesGroups(lanes, shape) && lanes <= shape.channels * 2)
          add({lanes, shape.states, chunk, 1});
    return out;
  }
  // The GPU: the ranges the scan benchmarks found the best tiles in
  // (bench/RESULTS.md: 32-64 channels, 4-16 states per thread, 16-step
  // chunks, 1-16 sequence splits), one step beyond each: 72 candidates for
  // N = 16, about 14 MB of modules.
  const int64_t warp = 32, maxThreads = 1024;
  for (int64_t channels : {32, 64, 128})
    for (int64_t states = shape.states;
         states >= 1 && states * 4 >= shape.states; states /= 2) {
      if (shape.states % states != 0)
        continue;
      const int64_t perChannel = shape.states / states;
      if (perChannel > warp || channels * perChannel > maxThreads ||
          !dividesGroups(channels, shape))
        continue;
      for (int64_t chunk : {16, 32})
        for (int64_t splits : {1, 4, 8, 16})
          add({channels, states, chunk, splits});
    }
  return out;
}

} // namespace mamba::tune
