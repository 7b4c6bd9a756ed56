//===- mamba-tune.cpp - Tile sizes measured ahead of time -----------------===//
//
// For every selective scan of a model directory or a .mlir file (Mamba-1:
// N = 16, one group), on the CPU or the local GPU: compiles each candidate
// tiling (TuningSpace.h) in parallel, runs it on each shape bucket against
// the reference library (a wrong result rejects it), times the survivors
// and writes the best per bucket, with the default's time, to the tuning
// database (TuningDb.h) that mamba-compile --tuning-db reads. Small spaces
// are searched exhaustively; larger ones by successive halving (all
// candidates on a few runs, the best quarter on the full count). Every
// trial is appended to DB.trials as it is measured, so an interrupted run
// resumes where it stopped; --budget-seconds bounds the time.
//
//===----------------------------------------------------------------------===//

#include "Tune.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <cstdio>

namespace cl = llvm::cl;

static cl::OptionCategory tuneCategory("mamba-tune options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model directory or .mlir>"),
                                      cl::cat(tuneCategory));
static cl::opt<std::string>
    dbPath("db", cl::cat(tuneCategory),
           cl::desc("The tuning database to write (entries are added to "
                    "what it holds)"),
           cl::value_desc("file"));
static cl::opt<std::string>
    target("target", cl::init("cpu"), cl::cat(tuneCategory),
           cl::desc("What to compile for: cpu (this machine's level), an "
                    "x86-64 level, or a GPU (sm_90a, ...)"));
static cl::opt<std::string>
    device("device", cl::init(""), cl::cat(tuneCategory),
           cl::desc("Where to measure: cpu, cuda, cuda:N (default: cpu for "
                    "a CPU target, cuda for a GPU one)"));
static cl::opt<std::string>
    shapes("shapes", cl::init("1x2048,8x2048"), cl::cat(tuneCategory),
           cl::desc("Shape buckets, BATCHxLENGTH,... (one entry each)"));
static cl::opt<std::string> dtype("dtype", cl::init("auto"),
                                  cl::cat(tuneCategory),
                                  cl::desc("A model directory's compute type"));
static cl::opt<double>
    budgetSeconds("budget-seconds", cl::init(0), cl::cat(tuneCategory),
                  cl::desc("Stop starting trials after this long (0: no "
                           "limit); the best so far is kept"));
static cl::opt<std::string>
    search("search", cl::init("auto"), cl::cat(tuneCategory),
           cl::desc("auto (exhaustive up to 32 candidates, else successive "
                    "halving), exhaustive, halving, neighbors (from the "
                    "default, one parameter step at a time while it "
                    "improves) or guided (from the tilings that won in the "
                    "database and --seed-db, at most a fifth of the "
                    "candidates)"));
static cl::list<std::string>
    seedDbs("seed-db", cl::cat(tuneCategory),
            cl::desc("A database whose entries the guided search starts "
                     "from, besides --db's (repeatable)"),
            cl::value_desc("file"));
static cl::opt<int> runs("runs", cl::init(10), cl::cat(tuneCategory),
                         cl::desc("Timed runs per candidate (the median)"));
static cl::opt<std::string> prepareDir(
    "prepare", cl::init(""), cl::cat(tuneCategory),
    cl::desc("Only compile every candidate into this folder with a plan "
             "(plan.json) for mamba-tune-run, which measures them on a "
             "machine without the compiler (--db is then not written)"),
    cl::value_desc("dir"));
static cl::opt<int> jobs("jobs", cl::init(0), cl::cat(tuneCategory),
                         cl::desc("Candidates compiled at once (0: a core "
                                  "each)"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(tuneCategory);
  cl::ParseCommandLineOptions(
      argc, argv, "mamba-tune: scan tile sizes measured ahead of time\n");
  mamba::tune::TuneOptions options;
  options.input = inputPath;
  options.dbPath = dbPath;
  options.target = target;
  options.device = device;
  options.shapes = shapes;
  options.dtype = dtype;
  options.prepareDir = prepareDir;
  options.search = search;
  options.seedDbs.assign(seedDbs.begin(), seedDbs.end());
  options.budgetSeconds = budgetSeconds;
  options.runs = runs;
  options.jobs = jobs;
  std::string error;
  if (!mamba::tune::tune(options, error)) {
    std::fprintf(stderr, "mamba-tune: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
