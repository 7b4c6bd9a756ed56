//===- mamba-tune-run.cpp - mamba-tune's measuring half, alone ------------===//
//
// Measures a plan that `mamba-tune --prepare DIR` compiled elsewhere and
// writes the tuning database, with the runtime only (no LLVM): for a
// machine with the GPU but without the compiler. The same search, checks,
// trials file and table as mamba-tune (TuneRunner.h).
//
//===----------------------------------------------------------------------===//

#include "TuneRunner.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "mamba-tune-run: %s\n", message.c_str());
  return 1;
}

const char *kUsage =
    "usage: mamba-tune-run DIR --db FILE [--device cpu|cuda|cuda:N] "
    "[--shapes 1x2048,8x2048] [--runs 10] [--budget-seconds S] "
    "[--search auto|exhaustive|halving|neighbors|guided] [--seed-db FILE]\n";

} // namespace

int main(int argc, char **argv) {
  std::string dir, shapes = "1x2048,8x2048", device;
  mamba::tune::RunSettings settings;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *name) -> const char * {
      if (i + 1 >= argc) {
        fail(std::string(name) + " needs a value");
        std::exit(1);
      }
      return argv[++i];
    };
    const char *v = nullptr;
    if (arg == "--db" && (v = value("--db")))
      settings.dbPath = v;
    else if (arg == "--device" && (v = value("--device")))
      device = v;
    else if (arg == "--shapes" && (v = value("--shapes")))
      shapes = v;
    else if (arg == "--runs" && (v = value("--runs"))) {
      char *end = nullptr;
      settings.runs = static_cast<int>(std::strtol(v, &end, 10));
      if (*end || settings.runs < 1)
        return fail(std::string("--runs: expected a count of at least 1, "
                                "got '") +
                    v + "'");
    } else if (arg == "--search" && (v = value("--search")))
      settings.search = v;
    else if (arg == "--seed-db" && (v = value("--seed-db")))
      settings.seedDbs.push_back(v);
    else if (arg == "--budget-seconds" && (v = value("--budget-seconds"))) {
      char *end = nullptr;
      settings.budgetSeconds = std::strtod(v, &end);
      if (*end || settings.budgetSeconds < 0)
        return fail(std::string("--budget-seconds: expected seconds (0: no "
                                "limit), got '") +
                    v + "'");
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!arg.empty() && arg[0] != '-' && dir.empty())
      dir = arg;
    else
      return fail("unexpected argument '" + arg + "'\n" + kUsage);
  }
  if (dir.empty() || settings.dbPath.empty())
    return fail(std::string("expected a plan folder and --db\n") + kUsage);
  if (settings.runs < 1)
    return fail("--runs must be at least 1");
  std::string error;
  if (!mamba::tune::checkSearch(settings.search, error))
    return fail(error);
  if (!mamba::tuning::parseBuckets(shapes, settings.buckets, error))
    return fail("--shapes: " + error);
  std::vector<mamba::tune::PlannedScan> scans;
  if (!mamba::tune::readPlan(dir, settings.target, scans, error))
    return fail(error);
  settings.device = !device.empty()                        ? device
                    : settings.target.rfind("sm_", 0) == 0 ? "cuda"
                                                           : "cpu";
  mamba::tune::TuneRunner runner;
  if (!runner.open(settings, error))
    return fail(error);
  for (const mamba::tune::PlannedScan &scan : scans)
    if (!runner.run(scan, error))
      return fail(error);
  std::fprintf(stderr, "mamba-tune-run: wrote %s\n", settings.dbPath.c_str());
  return 0;
}
