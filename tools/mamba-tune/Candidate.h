//===- Candidate.h - What mamba-tune tunes and what it tries ----*- C++ -*-===//
//
// The tuner's vocabulary, the same for every op it tunes: a signature (the
// op, its static sizes and activation type: what a database entry applies
// to) and a candidate (one value for each of the op's tiling parameters,
// named by short tags for logs, plan files and the trials file). Plain
// C++, shared by the compiling half (mamba-tune) and the measuring half
// (mamba-tune-run, no LLVM).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_CANDIDATE_H
#define MAMBA_TOOLS_CANDIDATE_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mamba::tune {

/// One tiling parameter's value: `key` as the database spells it
/// ("channels_per_block"), `tag` as candidate names do ("cb").
struct Setting {
  std::string key, tag;
  int64_t value = 0;
};

struct Candidate {
  std::vector<Setting> settings; ///< in the op's parameter order

  /// "cb8_s16_t32_q1": the tags and values in order.
  std::string name() const;
  /// The database's config: key -> value.
  std::map<std::string, int64_t> config() const;
  int64_t get(const std::string &key) const;
  bool operator==(const Candidate &o) const { return name() == o.name(); }
};

struct Signature {
  std::string op; ///< "selective_scan", "ssd_scan"
  /// The sizes in the op's order ({"d", 1536}, {"N", 16}, {"G", 1}).
  std::vector<std::pair<std::string, int64_t>> sizes;
  std::string type; ///< "f32", "bf16", "f16"

  /// "selective_scan:1536,16,1,bf16": for tables, file names and the
  /// trials file (no spaces).
  std::string key() const;
  /// The database's signature: key -> size.
  std::map<std::string, int64_t> map() const;
  /// A size by name; 0 when the signature has none.
  int64_t size(const std::string &name) const;
};

} // namespace mamba::tune

#endif // MAMBA_TOOLS_CANDIDATE_H
