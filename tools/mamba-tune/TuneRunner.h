//===- TuneRunner.h - mamba-tune's measuring half ---------------*- C++ -*-===//
//
// Everything of mamba-tune after the candidates are compiled, with no
// compiler in it: the device opened, each planned signature's candidates
// run on every shape bucket (its op's Problem, TunableOp.h), the search
// (exhaustive for small spaces; successive halving: all candidates on a few
// runs, the best quarter on the full count; hill-climbs, Search.h), the trials
// file that makes a run resumable, and the database written. mamba-tune calls
// it after compiling; mamba-tune-run calls it on a plan compiled elsewhere
// (mamba-tune
// --prepare), for a machine with the GPU but without the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_TUNERUNNER_H
#define MAMBA_TOOLS_TUNERUNNER_H

#include "TunableOp.h"

#include "mamba/Runtime/OpenDevice.h"
#include "mamba/Tuning/TuningDb.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mamba::tune {

/// One signature of a tunable op with its candidates compiled: paths[i]
/// holds candidate i's module when compiled[i], else errors[i] says why
/// not.
struct PlannedScan {
  const TunableOp *op = nullptr;
  Signature signature;
  std::vector<Candidate> candidates;
  std::vector<std::string> paths, errors;
  /// char, not bool: the compile workers set neighbouring elements at
  /// once, and vector<bool> packs them into shared words.
  std::vector<char> compiled;
  /// "selective_scan:1536,16,1,bf16"
  std::string key() const { return signature.key(); }
};

struct RunSettings {
  std::string target; ///< the compile target the entries are for
  std::string device; ///< "cpu", "cuda", "cuda:N"
  std::string dbPath; ///< the database (and DB.trials)
  std::vector<tuning::Bucket> buckets;
  int runs = 10;
  double budgetSeconds = 0; ///< 0: none
  /// "auto" (exhaustive up to 32 candidates, else halving), "exhaustive",
  /// "halving", "neighbors" or "guided" (Search.h; halving when there is
  /// nothing to start from).
  std::string search = "auto";
  /// More databases whose entries the guided search starts from (besides
  /// the run's own): another machine's of the same target, say.
  std::vector<std::string> seedDbs;
};

/// Whether `search` names a search (RunSettings::search); else false with
/// `error` listing them.
bool checkSearch(const std::string &search, std::string &error);

class TrialLog;

class TuneRunner {
public:
  TuneRunner();
  ~TuneRunner();
  /// Reads the database and the trials file (saying when it resumes) and
  /// prints the table's header.
  bool open(const RunSettings &settings, std::string &error);
  bool outOfBudget() const;
  /// Whether candidate `i` of `scan` still lacks a trial on some bucket.
  bool needed(const PlannedScan &scan, size_t i) const;
  /// Measures `scan` on every bucket, writes an entry per bucket and a
  /// table row each. False on what stops the run (the default tiling does
  /// not compile or fails; the device cannot be opened).
  bool run(const PlannedScan &scan, std::string &error);

private:
  RunSettings s_;
  std::chrono::steady_clock::time_point start_;
  tuning::Database db_;
  std::vector<tuning::Entry> seedEntries_; ///< of RunSettings::seedDbs
  std::unique_ptr<TrialLog> log_;
  runtime::OpenedDevice opened_;
  std::unique_ptr<runtime::Queue> queue_;
};

/// DIR/plan.json: the target and each signature's op, sizes, candidates
/// and module files (relative to DIR), as mamba-tune --prepare writes it.
bool writePlan(const std::string &dir, const std::string &target,
               const std::vector<PlannedScan> &scans, std::string &error);
bool readPlan(const std::string &dir, std::string &target,
              std::vector<PlannedScan> &scans, std::string &error);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_TUNERUNNER_H
