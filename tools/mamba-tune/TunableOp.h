//===- TunableOp.h - An op kind that mamba-tune tunes -----------*- C++ -*-===//
//
// What the measuring half knows of each op it tunes: the database name,
// the candidates for a signature on a target (the default first, so that a
// search cut short by its budget still has the baseline), how to rebuild a
// candidate from a plan's config, and the problem a candidate is measured
// on. One file per op implements it (ScanOp.cpp, SsdOp.cpp); the compiling
// half's counterpart is OpSource.h. A new op adds files and a line to
// tunableOps(), not branches in the tuner.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_TUNABLEOP_H
#define MAMBA_TOOLS_TUNABLEOP_H

#include "Candidate.h"
#include "Problem.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamba::tune {

class TunableOp {
public:
  /// A parameter: its database key ("channels_per_block") and its tag in
  /// candidate names ("cb").
  using Parameter = std::pair<std::string, std::string>;

  virtual ~TunableOp() = default;
  /// The database's op name: "selective_scan".
  virtual const char *name() const = 0;
  /// The tiling parameters, in the order candidate names list them.
  virtual std::vector<Parameter> parameters() const = 0;
  /// The signature's sizes, as the database names them, in order.
  virtual std::vector<std::string> signatureKeys() const = 0;
  /// Every candidate for `signature` on a GPU or the CPU, the target's
  /// default (what mamba-compile picks without options) first. One
  /// candidate means there is nothing to choose.
  virtual std::vector<Candidate>
  candidates(bool gpu, const Signature &signature) const = 0;
  virtual std::unique_ptr<Problem> makeProblem() const = 0;

  /// The candidate with `values` for parameters(), in order.
  Candidate candidate(const std::vector<int64_t> &values) const;
  /// The candidate of a plan's or a database's `config`; false with
  /// `error` naming a missing parameter.
  bool fromConfig(const std::map<std::string, int64_t> &config, Candidate &out,
                  std::string &error) const;
  /// The signature of a plan's `sizes` (signatureKeys()) and `type`; false
  /// with `error` naming a missing size.
  bool signatureOf(const std::map<std::string, int64_t> &sizes,
                   const std::string &type, Signature &out,
                   std::string &error) const;
};

const TunableOp &selectiveScanOp();
const TunableOp &ssdScanOp();

/// The ops mamba-tune tunes.
std::vector<const TunableOp *> tunableOps();
/// The op named `name`, or null.
const TunableOp *findTunableOp(const std::string &name);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_TUNABLEOP_H
