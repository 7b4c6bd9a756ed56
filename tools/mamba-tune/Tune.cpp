//===- Tune.cpp - mamba-tune's work, as a library call -------------------===//
//
// For every tunable op of a model directory or a .mlir file (TunableOp.h:
// Mamba-1's selective scan, Mamba-2's SSD), on the CPU or the local GPU:
// compiles each candidate tiling of each signature in parallel, runs it on
// each shape bucket against the reference library (a wrong result rejects
// it), times the survivors and writes the best per bucket, with the
// default's time, to the tuning database (TuningDb.h) that mamba-compile
// --tuning-db reads. Small spaces are searched exhaustively; larger ones by
// successive halving (all candidates on a few runs, the best quarter on the
// full count). Every trial is appended to DB.trials as it is measured, so
// an interrupted run resumes where it stopped; --budget-seconds bounds the
// time.
//
//===----------------------------------------------------------------------===//

#include "Tune.h"
#include "OpSource.h"
#include "TuneRunner.h"

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Driver/Compile.h"
#include "mamba/Registration/RegisterMamba.h"
#include "mamba/Runtime/OpenDevice.h"
#include "mamba/Tuning/TuningDb.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace mlir;
namespace runtime = ::mamba::runtime;
namespace tuning = ::mamba::tuning;
namespace format = ::mamba::format;
using ::mamba::tune::Candidate;
using ::mamba::tune::OpSource;
using ::mamba::tune::Signature;

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Compiles `source` with candidate `c`'s tiling for `chip` into `out`, in
/// a context of its own (one per thread).
bool compileCandidate(const OpSource &op, const std::string &source,
                      const std::string &chip, bool gpu, const Candidate &c,
                      const std::string &out, std::string &error) {
  DialectRegistry registry;
  mlir::mamba::registerAllMambaDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module) {
    error = "parsing the scan function failed: " + diagnostics;
    return false;
  }
  mlir::mamba::CompileOptions options;
  options.chips = {chip};
  // Exactly the candidate's tiling: no database's.
  options.shippedTuning = false;
  op.configure(c, gpu, options);
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(mlir::mamba::compileToModuleFile(*module, options, os, error))) {
    error += diagnostics.empty() ? "" : ": " + diagnostics;
    return false;
  }
  std::ofstream file(out, std::ios::binary);
  file << bytes;
  if (!file) {
    error = out + ": cannot write";
    return false;
  }
  return true;
}

} // namespace

namespace mamba::tune {

bool tune(const TuneOptions &o, std::string &error) {
  const Clock::time_point start = Clock::now();
  auto fail = [&](const std::string &message) {
    error = message;
    return false;
  };
  const std::string &target = o.target, &device = o.device, &shapes = o.shapes,
                    &dtype = o.dtype, &dbPath = o.dbPath,
                    &prepareDir = o.prepareDir, &search = o.search,
                    &inputPath = o.input;
  const int runs = o.runs, jobs = o.jobs;
  const double budgetSeconds = o.budgetSeconds;
  const bool gpu = llvm::StringRef(target).starts_with("sm_");
  const std::string chip =
      target == "cpu" ? mlir::mamba::hostCpuLevel() : target;
  const std::string deviceName = !device.empty() ? device
                                 : gpu           ? "cuda"
                                                 : "cpu";
  if (runs < 1)
    return fail("--runs must be at least 1");
  if (!checkSearch(search, error))
    return false;
  if (dbPath.empty() && prepareDir.empty())
    return fail("expected --db FILE (the database to write) or --prepare "
                "DIR");

  std::vector<tuning::Bucket> buckets;
  if (!tuning::parseBuckets(shapes, buckets, error))
    return fail("--shapes: " + error);

  // The signatures to tune, per op kind, each with its op and candidates.
  std::vector<std::pair<const OpSource *, ::mamba::tune::PlannedScan>>
      signatures;
  {
    DialectRegistry registry;
    mlir::mamba::registerAllMambaDialects(registry);
    MLIRContext context(registry);
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
    OwningOpRef<ModuleOp> module = mlir::mamba::loadCompileInput(
        &context, inputPath, dtype, sourceMgr, error);
    if (!module)
      return fail(error.empty() ? "cannot read " + inputPath : error);
    for (const OpSource *source : ::mamba::tune::opSources()) {
      std::vector<Signature> found;
      source->collect(*module, found);
      const ::mamba::tune::TunableOp *op =
          ::mamba::tune::findTunableOp(source->op);
      for (const Signature &s : found) {
        const std::string why = source->unsupported(s);
        if (!why.empty()) {
          std::fprintf(stderr, "mamba-tune: skipping %s: %s\n", s.key().c_str(),
                       why.c_str());
          continue;
        }
        ::mamba::tune::PlannedScan scan;
        scan.op = op;
        scan.signature = s;
        scan.candidates = op->candidates(gpu, s);
        if (scan.candidates.size() < 2) {
          std::fprintf(stderr,
                       "mamba-tune: skipping %s: it has one tiling on %s, "
                       "nothing to choose\n",
                       s.key().c_str(), gpu ? "this GPU" : "the CPU");
          continue;
        }
        signatures.push_back({source, std::move(scan)});
      }
    }
  }
  if (signatures.empty())
    return fail(inputPath + ": nothing to tune on " + chip +
                " (the tuner tunes selective_scan and, on GPUs, ssd_scan)");

  ::mamba::tune::TuneRunner runner;
  ::mamba::tune::RunSettings settings;
  settings.target = chip;
  settings.device = deviceName;
  settings.dbPath = dbPath;
  settings.buckets = buckets;
  settings.runs = runs;
  settings.budgetSeconds = budgetSeconds;
  settings.search = search;
  settings.seedDbs = o.seedDbs;
  llvm::SmallString<128> workDir;
  if (!prepareDir.empty()) {
    workDir = prepareDir;
    if (llvm::sys::fs::create_directories(workDir))
      return fail("cannot make " + prepareDir);
  } else if (llvm::sys::fs::createUniqueDirectory("mamba-tune", workDir)) {
    return fail("cannot make a temporary directory");
  }
  if (prepareDir.empty() && !runner.open(settings, error))
    return fail(error);
  std::vector<::mamba::tune::PlannedScan> planned;
  for (auto &found : signatures) {
    // Plain references: a lambda below uses them (it may not capture
    // structured bindings before C++20).
    const OpSource *source = found.first;
    ::mamba::tune::PlannedScan &scan = found.second;
    const Signature &sig = scan.signature;
    const size_t n = scan.candidates.size();
    scan.paths.assign(n, "");
    scan.errors.assign(n, "");
    scan.compiled.assign(n, 0);
    // Compile each candidate once (shape-independent), in parallel: for a
    // plan all of them; here those the trials file has not measured on
    // every bucket, and the default.
    const std::string text = source->source(sig);
    std::atomic<size_t> next{0};
    unsigned workers = jobs > 0
                           ? unsigned(jobs)
                           : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w)
      threads.emplace_back([&] {
        for (size_t i; (i = next++) < n;) {
          if (i > 0 && prepareDir.empty() &&
              (runner.outOfBudget() || !runner.needed(scan, i)))
            continue;
          std::string stem = sig.key();
          std::replace(stem.begin(), stem.end(), ':', '-');
          std::string path = std::string(workDir) + "/" + stem + "-" +
                             scan.candidates[i].name() + ".mmod";
          std::string why;
          bool ok = compileCandidate(*source, text, chip, gpu,
                                     scan.candidates[i], path, why);
          scan.paths[i] = path;
          scan.compiled[i] = ok;
          scan.errors[i] = why;
        }
      });
    for (std::thread &t : threads)
      t.join();
    if (prepareDir.empty() && !runner.run(scan, error))
      return fail(error);
    planned.push_back(std::move(scan));
  }
  if (!prepareDir.empty()) {
    if (!::mamba::tune::writePlan(std::string(workDir), chip, planned, error))
      return fail(error);
    std::fprintf(stderr,
                 "mamba-tune: compiled %zu signatures' candidates into "
                 "%s; measure them with mamba-tune-run %s --db FILE\n",
                 planned.size(), prepareDir.c_str(), prepareDir.c_str());
    return true;
  }
  llvm::sys::fs::remove_directories(workDir);
  std::fprintf(stderr, "mamba-tune: wrote %s (%.0f s)\n", dbPath.c_str(),
               secondsSince(start));
  return true;
}

} // namespace mamba::tune
