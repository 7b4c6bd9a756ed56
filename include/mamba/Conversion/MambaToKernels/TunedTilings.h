//===- TunedTilings.h - Scan tilings chosen per signature -------*- C++ -*-===//
//
// What mamba-tune measured best, handed to the scan tiling passes: a tiling
// per scan signature (channels d, states N, groups G, activation type) as
// the passes' `tuned` option, each "D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS"
// (no commas: a list option's textual form splits at them).
// A scan whose signature has one takes it in place of the pass options; a
// tiling attribute on the op still wins over both.
//
// Likewise for Mamba-2's SSD scan on a GPU: a kernel per signature (heads
// H, head dimension P, states N, groups G, activation type) as
// mamba-tile-ssd-chunked's `tuned` option, each "H:P:N:G:TYPE=TC:CHUNK:BLOCK"
// (TC 0: the per-step recurrence; 1: the chunked tensor-core kernel with
// that chunk and channel block).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CONVERSION_MAMBATOKERNELS_TUNEDTILINGS_H
#define MAMBA_CONVERSION_MAMBATOKERNELS_TUNEDTILINGS_H

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::mamba {

/// A scan's signature: what a tuned tiling is chosen for.
struct ScanSignature {
  int64_t channels = 0, states = 0, groups = 1;
  std::string type; ///< "f32", "bf16", "f16"

  bool operator==(const ScanSignature &other) const {
    return channels == other.channels && states == other.states &&
           groups == other.groups && type == other.type;
  }
};

struct TunedTiling {
  ScanSignature signature;
  int64_t channelsPerBlock = 0, statesPerThread = 0, chunkLength = 0,
          sequenceSplits = 1;
};

/// The signature of `op`; nullopt when d, N or G is dynamic.
std::optional<ScanSignature> scanSignature(SelectiveScanOp op);

/// "1536:16:1:bf16=64:0:16:1".
std::string formatTunedTiling(const TunedTiling &tiling);

/// Parses the `tuned` option's entries; false with `error` naming the entry
/// that is not of the form above.
bool parseTunedTilings(const std::vector<std::string> &entries,
                       std::vector<TunedTiling> &out, std::string &error);

/// The tiling of `tunings` for `op`'s signature, if there is one.
std::optional<TunedTiling>
findTunedTiling(SelectiveScanOp op, const std::vector<TunedTiling> &tunings);

/// The unit attribute mamba-outline-kernels puts on the scan of a model's
/// split-sequence variant (which also has the default split tiling as its
/// own): a `tuned-split` tiling of its signature replaces that tiling.
constexpr llvm::StringLiteral kSplitVariantScanAttr = "mamba.split_variant";

/// What a scan tiling pass does with its `tuned` and `tuned-split` options:
/// the scans under `root` in order, each with the tiling it takes before
/// the pass's other options (a split variant's scan: its signature's entry
/// of `tunedSplit`, else its own attribute; any other: its own attribute,
/// else its signature's entry of `tuned`; null for none). Fails, with an
/// error on `root`, on an entry it cannot parse.
LogicalResult collectScanTilings(
    Operation *root, const std::vector<std::string> &tuned,
    const std::vector<std::string> &tunedSplit,
    SmallVectorImpl<std::pair<SelectiveScanOp, ScanTilingAttr>> &scans);

/// An SSD scan's signature: what a tuned kernel is chosen for.
struct SsdSignature {
  int64_t heads = 0, headDim = 0, states = 0, groups = 1;
  std::string type; ///< of x: "f32", "bf16", "f16"

  bool operator==(const SsdSignature &other) const {
    return heads == other.heads && headDim == other.headDim &&
           states == other.states && groups == other.groups &&
           type == other.type;
  }
};

struct TunedSsd {
  SsdSignature signature;
  /// The chunked tensor-core kernel (mamba-tile-ssd-chunked) with these
  /// sizes (0: the kernel's choice), else the per-step recurrence.
  bool tensorCores = false;
  int64_t chunk = 0, channelBlock = 0;
};

/// The signature of `op`; nullopt when H, P, N or G is dynamic or x is not
/// f32, bf16 or f16.
std::optional<SsdSignature> ssdSignature(SsdScanOp op);

/// "24:64:128:1:bf16=1:64:64".
std::string formatTunedSsd(const TunedSsd &tuned);

/// Parses mamba-tile-ssd-chunked's `tuned` entries; false with `error`
/// naming the entry that is not of the form above.
bool parseTunedSsds(const std::vector<std::string> &entries,
                    std::vector<TunedSsd> &out, std::string &error);

/// The entry of `tunings` for `op`'s signature, if there is one.
std::optional<TunedSsd> findTunedSsd(SsdScanOp op,
                                     const std::vector<TunedSsd> &tunings);

} // namespace mlir::mamba

#endif // MAMBA_CONVERSION_MAMBATOKERNELS_TUNEDTILINGS_H
