//===- Tune.h - mamba-tune's work, as a library call ------------*- C++ -*-===//
//
// What mamba-tune does, callable from the Python module too
// (mamba_mlir.tune): the scans of a model directory or .mlir file, their
// candidate tilings compiled in parallel, then measured on the device
// (TuneRunner.h) into the tuning database; or, with prepareDir, only
// compiled into a plan for mamba-tune-run.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_TUNE_H
#define MAMBA_TOOLS_TUNE_H

#include <string>
#include <vector>

namespace mamba::tune {

struct TuneOptions {
  std::string input;          ///< a model directory or a .mlir file
  std::string dbPath;         ///< the database to write (unless prepareDir)
  std::string target = "cpu"; ///< cpu, an x86-64 level or sm_XX
  std::string device;         ///< "": cpu for a CPU target, cuda for a GPU
  std::string shapes = "1x2048,8x2048"; ///< BATCHxLENGTH,...
  std::string dtype = "auto";           ///< a model directory's compute type
  std::string prepareDir;               ///< compile a plan only
  /// auto, exhaustive, halving, neighbors, guided (RunSettings::search)
  std::string search = "auto";
  std::vector<std::string> seedDbs; ///< RunSettings::seedDbs
  double budgetSeconds = 0;         ///< 0: none
  int runs = 10;
  int jobs = 0; ///< compile threads; 0: one per core
};

/// Tunes as described above, printing the table to stdout and progress to
/// stderr. False with `error` on bad options or input, or what stops a run.
bool tune(const TuneOptions &options, std::string &error);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_TUNE_H
