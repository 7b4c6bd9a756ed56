//===- TuningSpace.h - The scan tilings mamba-tune tries --------*- C++ -*-===//
//
// The candidates for one scan signature on one target: every combination of
// the tiling passes' parameters, less what cannot work (a block past 1024
// threads, channels per block that do not divide a group, threads per
// channel that are not a power of two up to a warp), the target's default
// first, so that a search cut short by its budget still has the baseline.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_TUNINGSPACE_H
#define MAMBA_TOOLS_TUNINGSPACE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mamba::tune {

struct Candidate {
  int64_t channelsPerBlock = 0, statesPerThread = 0, chunkLength = 0,
          sequenceSplits = 1;

  /// "cb8_s16_t32_q1": for names, logs and the trials file.
  std::string name() const;
  /// The database's config (TuningDb.h's option names).
  std::map<std::string, int64_t> config() const;
  bool operator==(const Candidate &o) const { return name() == o.name(); }
};

struct ScanShape {
  int64_t channels = 0, states = 0, groups = 1;
};

/// The default tiling of `shape` on a GPU or the CPU, as mamba-compile
/// picks it without options (TilingDefaults.h, fitted to the groups).
Candidate defaultCandidate(bool gpu, const ScanShape &shape);

/// Every candidate for `shape`, the default first.
std::vector<Candidate> scanCandidates(bool gpu, const ScanShape &shape);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_TUNINGSPACE_H
