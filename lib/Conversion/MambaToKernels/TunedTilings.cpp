//===- TunedTilings.cpp - Scan tilings chosen per signature ---------------===//

#include "mamba/Conversion/MambaToKernels/TunedTilings.h"

#include <sstream>

namespace mlir::mamba {

namespace {

/// The activation type's name in a signature; empty for another type.
std::string typeName(Type element) {
  return element.isF32()    ? "f32"
         : element.isBF16() ? "bf16"
         : element.isF16()  ? "f16"
                            : "";
}

} // namespace

std::optional<ScanSignature> scanSignature(SelectiveScanOp op) {
  auto u = cast<ShapedType>(op.getU().getType());
  auto a = cast<ShapedType>(op.getA().getType());
  auto b = cast<ShapedType>(op.getB().getType());
  ScanSignature s;
  s.channels = u.getDimSize(1);
  s.states = a.getDimSize(1);
  s.groups = b.getRank() == 4 ? b.getDimSize(1) : 1;
  if (ShapedType::isDynamic(s.channels) || ShapedType::isDynamic(s.states) ||
      ShapedType::isDynamic(s.groups))
    return std::nullopt;
  s.type = typeName(u.getElementType());
  if (s.type.empty())
    return std::nullopt;
  return s;
}

namespace {

/// An entry's fields ("D:N:G:TYPE=A:B:C:D" split at ':' and '=') as a
/// stream; empty unless it has its '='.
std::istringstream fieldsOf(const std::string &entry) {
  if (entry.find('=') == std::string::npos)
    return std::istringstream();
  std::string text = entry;
  for (char &c : text)
    if (c == ':' || c == '=')
      c = ' ';
  return std::istringstream(text);
}

/// Whether `in` read every field it was asked for and has none left.
bool readExactly(std::istringstream &in) {
  std::string rest;
  return in && !(in >> rest);
}

bool isActivationType(const std::string &type) {
  return type == "f32" || type == "bf16" || type == "f16";
}

} // namespace

std::string formatTunedTiling(const TunedTiling &t) {
  const ScanSignature &s = t.signature;
  return std::to_string(s.channels) + ":" + std::to_string(s.states) + ":" +
         std::to_string(s.groups) + ":" + s.type + "=" +
         std::to_string(t.channelsPerBlock) + ":" +
         std::to_string(t.statesPerThread) + ":" +
         std::to_string(t.chunkLength) + ":" + std::to_string(t.sequenceSplits);
}

bool parseTunedTilings(const std::vector<std::string> &entries,
                       std::vector<TunedTiling> &out, std::string &error) {
  out.clear();
  for (const std::string &entry : entries) {
    std::istringstream in = fieldsOf(entry);
    TunedTiling t;
    ScanSignature &s = t.signature;
    in >> s.channels >> s.states >> s.groups >> s.type >> t.channelsPerBlock >>
        t.statesPerThread >> t.chunkLength >> t.sequenceSplits;
    if (!readExactly(in) || !isActivationType(s.type) || s.channels < 1 ||
        s.states < 1 || s.groups < 1) {
      error = "tuned tiling '" + entry +
              "': expected D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS with "
              "TYPE f32, bf16 or f16, like 1536:16:1:bf16=64:0:16:1";
      return false;
    }
    out.push_back(t);
  }
  return true;
}

std::optional<TunedTiling>
findTunedTiling(SelectiveScanOp op, const std::vector<TunedTiling> &tunings) {
  std::optional<ScanSignature> s = scanSignature(op);
  if (!s)
    return std::nullopt;
  for (const TunedTiling &t : tunings)
    if (t.signature == *s)
      return t;
  return std::nullopt;
}

LogicalResult collectScanTilings(
    Operation *root, const std::vector<std::string> &tuned,
    const std::vector<std::string> &tunedSplit,
    SmallVectorImpl<std::pair<SelectiveScanOp, ScanTilingAttr>> &scans) {
  std::vector<TunedTiling> tunings, splitTunings;
  std::string error;
  if (!parseTunedTilings(tuned, tunings, error) ||
      !parseTunedTilings(tunedSplit, splitTunings, error))
    return root->emitError() << error;
  auto attr = [](SelectiveScanOp op, const TunedTiling &t) {
    return ScanTilingAttr::get(op.getContext(), t.channelsPerBlock,
                               t.statesPerThread, t.chunkLength,
                               t.sequenceSplits);
  };
  root->walk([&](SelectiveScanOp op) {
    ScanTilingAttr tiling = op.getTilingAttr();
    if (op->hasAttr(kSplitVariantScanAttr)) {
      if (std::optional<TunedTiling> t = findTunedTiling(op, splitTunings))
        tiling = attr(op, *t);
    } else if (!tiling) {
      if (std::optional<TunedTiling> t = findTunedTiling(op, tunings))
        tiling = attr(op, *t);
    }
    scans.push_back({op, tiling});
  });
  return success();
}

std::optional<SsdSignature> ssdSignature(SsdScanOp op) {
  // x [b, L, H, P], B [b, L, G, N].
  auto x = cast<ShapedType>(op.getX().getType());
  auto b = cast<ShapedType>(op.getB().getType());
  SsdSignature s{x.getDimSize(2), x.getDimSize(3), b.getDimSize(3),
                 b.getDimSize(2), typeName(x.getElementType())};
  for (int64_t size : {s.heads, s.headDim, s.states, s.groups})
    if (ShapedType::isDynamic(size))
      return std::nullopt;
  if (s.type.empty())
    return std::nullopt;
  return s;
}

std::string formatTunedSsd(const TunedSsd &t) {
  const SsdSignature &s = t.signature;
  return std::to_string(s.heads) + ":" + std::to_string(s.headDim) + ":" +
         std::to_string(s.states) + ":" + std::to_string(s.groups) + ":" +
         s.type + "=" + (t.tensorCores ? "1" : "0") + ":" +
         std::to_string(t.chunk) + ":" + std::to_string(t.channelBlock);
}

bool parseTunedSsds(const std::vector<std::string> &entries,
                    std::vector<TunedSsd> &out, std::string &error) {
  out.clear();
  for (const std::string &entry : entries) {
    std::istringstream in = fieldsOf(entry);
    TunedSsd t;
    SsdSignature &s = t.signature;
    int64_t tensorCores = -1;
    in >> s.heads >> s.headDim >> s.states >> s.groups >> s.type >>
        tensorCores >> t.chunk >> t.channelBlock;
    if (!readExactly(in) || !isActivationType(s.type) || s.heads < 1 ||
        s.headDim < 1 || s.states < 1 || s.groups < 1 ||
        (tensorCores != 0 && tensorCores != 1) || t.chunk < 0 ||
        t.channelBlock < 0 || (!tensorCores && (t.chunk || t.channelBlock))) {
      error = "tuned SSD scan '" + entry +
              "': expected H:P:N:G:TYPE=TC:CHUNK:BLOCK with TYPE f32, bf16 "
              "or f16 and TC 1 (the chunked tensor-core kernel; CHUNK and "
              "BLOCK 0 for its choice) or 0 (the per-step kernel; CHUNK and "
              "BLOCK 0), like 24:64:128:1:bf16=1:64:64";
      return false;
    }
    t.tensorCores = tensorCores == 1;
    out.push_back(t);
  }
  return true;
}

std::optional<TunedSsd> findTunedSsd(SsdScanOp op,
                                     const std::vector<TunedSsd> &tunings) {
  std::optional<SsdSignature> s = ssdSignature(op);
  if (!s)
    return std::nullopt;
  for (const TunedSsd &t : tunings)
    if (t.signature == *s)
      return t;
  return std::nullopt;
}

} // namespace mlir::mamba
