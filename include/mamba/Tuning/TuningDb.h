//===- TuningDb.h - mamba-tune's database of measured tilings ---*- C++ -*-===//
//
// A JSON file (docs/tuning-db.md) of the best tiling mamba-tune measured
// per target, op signature, dtype and shape bucket, with its time, the
// default tiling's time and the code generation version it was measured
// with. mamba-tune writes it; mamba-compile --tuning-db and the Python ops
// read it. Plain C++ (no LLVM), so a runtime-only tool can read it too.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TUNING_TUNINGDB_H
#define MAMBA_TUNING_TUNINGDB_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mamba::tuning {

/// The code generation version of `target`'s tiled code ("sm_90a", an
/// x86-64 level), bumped when that code changes so much that tilings
/// measured on it should be measured again: entries of another version are
/// ignored. GPU and CPU targets count apart, so a change to the GPU scan
/// leaves the CPU databases valid. GPU 2: a channel's threads share the
/// per-timestep work (2026-12-07).
int codegenVersion(const std::string &target);

/// The database format's own version.
constexpr int kFormatVersion = 1;

struct Bucket {
  int64_t batch = 1, length = 1;
};

/// "1x2048" as a bucket; false unless it is BATCHxLENGTH, both at least 1.
bool parseBucket(const std::string &text, Bucket &out);
/// "1x2048,8x2048"; false with `error` naming the item that is not a
/// bucket, or saying there is none.
bool parseBuckets(const std::string &text, std::vector<Bucket> &out,
                  std::string &error);

struct Entry {
  /// Where it was measured: the compile target ("x86-64-v4", "sm_90a")
  /// and the device ("AMD EPYC 9R14, 2 threads", "NVIDIA H100 80GB HBM3").
  std::string target, device;
  /// "selective_scan" or "ssd_scan", its signature ({"d": 1536, "N": 16,
  /// "G": 1}; {"H": 24, "P": 64, "N": 128, "G": 1}) and activation type
  /// ("f32", "bf16", "f16").
  std::string op;
  std::map<std::string, int64_t> signature;
  std::string dtype;
  Bucket bucket;
  /// The tiling: the scan passes' option names ("channels_per_block", ...;
  /// for ssd_scan "tensor_cores", "chunk", "channel_block").
  std::map<std::string, int64_t> config;
  double ms = 0, defaultMs = 0;
  int64_t candidates = 0;
  int codegen = 0;  ///< codegenVersion(target) when it was measured
  std::string made; ///< date, for people
};

/// A selective_scan entry's signature and tiling, each field that the
/// entry leaves out at what it means (G 1, no split).
struct ScanFields {
  int64_t d = 0, N = 0, G = 1;
  int64_t channelsPerBlock = 0, statesPerThread = 0, chunkLength = 0,
          sequenceSplits = 1;
};
ScanFields scanFields(const Entry &e);

/// An ssd_scan entry's signature (H heads of P channels, N states, G
/// groups) and kernel: tensorCores 0 is the per-step recurrence, 1 the
/// chunked tensor-core kernel with its chunk and channel block (0: the
/// kernel's choice). Fields the entry leaves out at what they mean (G 1,
/// the others 0).
struct SsdFields {
  int64_t H = 0, P = 0, N = 0, G = 1;
  int64_t tensorCores = 0, chunk = 0, channelBlock = 0;
};
SsdFields ssdFields(const Entry &e);

class Database {
public:
  /// Reads `path`; false with `error` naming the file and what is wrong.
  bool read(const std::string &path, std::string &error);
  /// Writes to `path` through a temporary file renamed into place, so a
  /// reader never sees half a database.
  bool write(const std::string &path, std::string &error) const;

  const std::vector<Entry> &entries() const { return entries_; }
  /// Adds `entry`, replacing one of the same target, op, signature, dtype
  /// and bucket.
  void put(const Entry &entry);

  /// The entries for `target` and `op` of the current code generation,
  /// one per signature and dtype: the one whose bucket is nearest `want`
  /// (in tokens, batch * length, then batch; on a log scale). Entries of
  /// another code generation version are skipped, each with a note.
  std::vector<Entry> select(const std::string &target, const std::string &op,
                            const Bucket &want,
                            std::vector<std::string> &notes) const;

private:
  std::vector<Entry> entries_;
};

} // namespace mamba::tuning

#endif // MAMBA_TUNING_TUNINGDB_H
