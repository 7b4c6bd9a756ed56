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

#include "ScanTrial.h"
#include "TuningSpace.h"

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
#include "mamba/Driver/Compile.h"
#include "mamba/Registration/RegisterMamba.h"
#include "mamba/Runtime/OpenDevice.h"
#include "mamba/Tuning/TuningDb.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
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
using ::mamba::tune::ScanShape;
using mlir::mamba::MixerOp;
using mlir::mamba::ScanSignature;
using mlir::mamba::SelectiveScanOp;
namespace cl = llvm::cl;

static cl::OptionCategory tuneCategory("mamba-tune options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model directory or .mlir>"),
                                      cl::cat(tuneCategory));
static cl::opt<std::string>
    dbPath("db", cl::Required, cl::cat(tuneCategory),
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
static cl::opt<int> runs("runs", cl::init(10), cl::cat(tuneCategory),
                         cl::desc("Timed runs per candidate (the median)"));
static cl::opt<int> jobs("jobs", cl::init(0), cl::cat(tuneCategory),
                         cl::desc("Candidates compiled at once (0: a core "
                                  "each)"));

namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point kStart = Clock::now();

double elapsed() {
  return std::chrono::duration<double>(Clock::now() - kStart).count();
}

bool outOfBudget() { return budgetSeconds > 0 && elapsed() > budgetSeconds; }

int fail(const std::string &message) {
  std::fprintf(stderr, "mamba-tune: %s\n", message.c_str());
  return 1;
}

struct Signature {
  ScanShape shape;
  std::string type; ///< "f32", "bf16", "f16"
  std::string key() const {
    return std::to_string(shape.channels) + "," + std::to_string(shape.states) +
           "," + std::to_string(shape.groups) + "," + type;
  }
};

std::string typeName(Type t) {
  return t.isF32() ? "f32" : t.isBF16() ? "bf16" : t.isF16() ? "f16" : "";
}

/// The scans of `module`: selective_scan ops, and the scan inside each
/// mixer of a model.
std::vector<Signature> scanSignatures(ModuleOp module) {
  std::vector<Signature> out;
  auto add = [&](Signature s) {
    for (const Signature &seen : out)
      if (seen.key() == s.key())
        return;
    out.push_back(s);
  };
  module.walk([&](SelectiveScanOp op) {
    if (std::optional<ScanSignature> s = mlir::mamba::scanSignature(op))
      add({{s->channels, s->states, s->groups}, s->type});
  });
  module.walk([&](MixerOp op) {
    auto a = cast<ShapedType>(op.getALog().getType());
    auto hidden = cast<ShapedType>(op.getHidden().getType());
    if (a.hasStaticShape())
      add({{a.getDimSize(0), a.getDimSize(1), 1},
           typeName(hidden.getElementType())});
  });
  return out;
}

/// The benchmark scans' function (bench/make-scan-kernels.sh's operands
/// and options) for a signature: what every candidate compiles.
std::string scanSource(const Signature &s) {
  const std::string d = std::to_string(s.shape.channels), t = s.type;
  const std::string act = "tensor<?x" + d + "x?x" + t + ">",
                    bc = "tensor<?x1x16x?x" + t + ">",
                    a = "tensor<" + d + "x16xf32>",
                    vec = "tensor<" + d + "xf32>";
  return "func.func @scan(%u: " + act + ", %delta: " + act + ", %A: " + a +
         ", %B: " + bc + ", %C: " + bc + ", %D: " + vec + ", %z: " + act +
         ", %delta_bias: " + vec + ") -> " + act +
         " {\n  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) "
         "delta_bias(%delta_bias) delta_softplus\n      : (" +
         act + ", " + act + ", " + a + ", " + bc + ", " + bc + ", " + vec +
         ", " + act + ", " + vec + ") -> " + act + "\n  return %y : " + act +
         "\n}\n";
}

/// Compiles `source` with candidate `c`'s tiling for `chip` into `out`, in
/// a context of its own (one per thread).
bool compileCandidate(const std::string &source, const std::string &chip,
                      bool gpu, const Candidate &c, const std::string &out,
                      std::string &error) {
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
  options.channelsPerBlock = c.channelsPerBlock;
  options.chunkLength = c.chunkLength;
  if (gpu) {
    options.statesPerThread = c.statesPerThread;
    options.sequenceSplits = c.sequenceSplits;
  }
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

/// What one candidate gave on one bucket.
struct Trial {
  bool ok = false;
  double ms = 0, relError = 0;
  int runs = 0;
  std::string why; ///< when not ok
};

/// DB.trials: one line per trial, "key ok ms relError runs why", so that a
/// run cut short resumes without measuring again.
class TrialLog {
public:
  explicit TrialLog(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string key;
      Trial t;
      if (fields >> key >> t.ok >> t.ms >> t.relError >> t.runs) {
        std::getline(fields >> std::ws, t.why);
        trials_[key] = t;
      }
    }
  }
  size_t size() const { return trials_.size(); }
  const Trial *find(const std::string &key) const {
    auto it = trials_.find(key);
    return it == trials_.end() ? nullptr : &it->second;
  }
  void add(const std::string &key, const Trial &t) {
    trials_[key] = t;
    std::ofstream out(path_, std::ios::app);
    out << key << " " << t.ok << " " << t.ms << " " << t.relError << " "
        << t.runs << " " << t.why << "\n";
  }

private:
  std::string path_;
  std::map<std::string, Trial> trials_;
};

std::string today() {
  std::time_t now = std::time(nullptr);
  char text[16];
  std::strftime(text, sizeof(text), "%Y-%m-%d", std::gmtime(&now));
  return text;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(tuneCategory);
  cl::ParseCommandLineOptions(
      argc, argv, "mamba-tune: scan tile sizes measured ahead of time\n");
  const bool gpu = llvm::StringRef(target).starts_with("sm_");
  const std::string chip =
      target == "cpu" ? mlir::mamba::hostCpuLevel() : target.getValue();
  const std::string deviceName = !device.empty() ? device.getValue()
                                 : gpu           ? "cuda"
                                                 : "cpu";
  if (runs < 1)
    return fail("--runs must be at least 1");

  std::vector<tuning::Bucket> buckets;
  {
    std::istringstream in(shapes);
    std::string item;
    while (std::getline(in, item, ',')) {
      tuning::Bucket b;
      char x = 0, tail = 0;
      if (std::sscanf(item.c_str(), "%ld%c%ld%c", &b.batch, &x, &b.length,
                      &tail) != 3 ||
          x != 'x' || b.batch < 1 || b.length < 1)
        return fail("--shapes: '" + item +
                    "' is not BATCHxLENGTH, like 1x2048");
      buckets.push_back(b);
    }
    if (buckets.empty())
      return fail("--shapes: no shape");
  }

  // The scans to tune.
  std::vector<Signature> signatures;
  {
    DialectRegistry registry;
    mlir::mamba::registerAllMambaDialects(registry);
    MLIRContext context(registry);
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
    std::string error;
    OwningOpRef<ModuleOp> module = mlir::mamba::loadCompileInput(
        &context, inputPath, dtype, sourceMgr, error);
    if (!module)
      return fail(error.empty() ? "cannot read " + inputPath : error);
    for (const Signature &s : scanSignatures(*module)) {
      if (s.shape.states != 16 || s.shape.groups != 1 || s.type == "f16") {
        std::fprintf(stderr,
                     "mamba-tune: skipping the scan %s: the tuner's "
                     "problems have N = 16, one group, f32 or bf16\n",
                     s.key().c_str());
        continue;
      }
      signatures.push_back(s);
    }
  }
  if (signatures.empty())
    return fail(inputPath + ": no scan to tune");

  tuning::Database db;
  std::string error;
  if (llvm::sys::fs::exists(dbPath) && !db.read(dbPath, error))
    return fail(error);
  TrialLog log(dbPath + ".trials");
  if (log.size())
    std::fprintf(stderr, "mamba-tune: resuming: %zu trials in %s.trials\n",
                 log.size(), dbPath.c_str());
  llvm::SmallString<128> workDir;
  if (llvm::sys::fs::createUniqueDirectory("mamba-tune", workDir))
    return fail("cannot make a temporary directory");

  std::printf("| scan d,N,G,type | bucket | default ms | tuned ms | speedup "
              "| tuned config | candidates | seconds |\n|---|---|---|---|---|"
              "---|---|---|\n");
  runtime::OpenedDevice opened;
  std::unique_ptr<runtime::Queue> queue;
  for (const Signature &sig : signatures) {
    const double sigStart = elapsed();
    std::vector<Candidate> candidates =
        ::mamba::tune::scanCandidates(gpu, sig.shape);
    // Compile every candidate once (shape-independent), in parallel: those
    // the trials file has not measured on every bucket, and the default.
    auto needed = [&](size_t i) {
      for (const tuning::Bucket &b : buckets)
        if (!log.find(chip + "/" + sig.key() + "/" + std::to_string(b.batch) +
                      "x" + std::to_string(b.length) + "/" +
                      candidates[i].name()))
          return true;
      return false;
    };
    std::vector<std::string> paths(candidates.size()),
        errors(candidates.size());
    std::vector<bool> compiled(candidates.size(), false);
    {
      const std::string source = scanSource(sig);
      std::atomic<size_t> next{0};
      unsigned workers =
          jobs > 0 ? unsigned(jobs)
                   : std::max(1u, std::thread::hardware_concurrency());
      std::vector<std::thread> threads;
      for (unsigned w = 0; w < workers; ++w)
        threads.emplace_back([&] {
          for (size_t i; (i = next++) < candidates.size();) {
            if (i > 0 && (outOfBudget() || !needed(i)))
              continue;
            paths[i] = std::string(workDir) + "/" + sig.key() + "-" +
                       candidates[i].name() + ".mmod";
            compiled[i] = compileCandidate(source, chip, gpu, candidates[i],
                                           paths[i], errors[i]);
          }
        });
      for (std::thread &t : threads)
        t.join();
    }
    if (!compiled[0])
      return fail("the default tiling of scan " + sig.key() +
                  " does not compile: " + errors[0]);
    if (!opened.isOpen()) {
      runtime::ModuleFile file;
      if (!file.load(paths[0], error) ||
          !runtime::openDevice(file, paths[0],
                               runtime::DeviceRequest{deviceName, 0}, opened,
                               error) ||
          !(queue = opened.backend().createQueue(error)))
        return fail(error);
    }
    runtime::Backend &backend = opened.backend();
    const format::ElementType act = sig.type == "bf16"
                                        ? format::ElementType::BF16
                                        : format::ElementType::F32;
    const double tolerance = act == format::ElementType::F32 ? 1e-4 : 2e-2;

    for (const tuning::Bucket &bucket : buckets) {
      const double bucketStart = elapsed();
      ::mamba::tune::ScanProblem problem;
      if (!problem.prepare(backend, *queue, act, bucket.batch,
                           sig.shape.channels, bucket.length, error))
        return fail("scan " + sig.key() + ": " + error);
      const std::string bucketKey = chip + "/" + sig.key() + "/" +
                                    std::to_string(bucket.batch) + "x" +
                                    std::to_string(bucket.length);
      std::map<size_t, Trial> results;
      auto runTrial = [&](size_t i, int count) -> bool {
        const std::string key = bucketKey + "/" + candidates[i].name();
        if (const Trial *seen = log.find(key); seen && seen->runs >= count) {
          results[i] = *seen;
          return true;
        }
        Trial t;
        t.runs = count;
        if (!compiled[i]) {
          t.why = "does not compile: " + errors[i].substr(0, 200);
        } else {
          runtime::ModuleFile file;
          std::unique_ptr<runtime::Program> program;
          if (!file.load(paths[i], error) ||
              !(program = backend.load(file, error)) ||
              !problem.measure(*program, count, tolerance, t.relError, t.ms,
                               error)) {
            t.why = "does not run: " + error.substr(0, 200);
          } else if (!(t.relError <= tolerance)) {
            t.why = "wrong result: rel L2 " + std::to_string(t.relError);
          } else {
            t.ok = true;
          }
        }
        for (char &ch : t.why)
          if (ch == '\n')
            ch = ' ';
        log.add(key, t);
        results[i] = t;
        return true;
      };
      auto best = [&](std::vector<size_t> among) {
        std::sort(among.begin(), among.end(), [&](size_t a, size_t b) {
          return results[a].ms < results[b].ms;
        });
        return among;
      };
      auto progress = [&](size_t done, size_t total) {
        if (!isatty(2))
          return; // a log gets the table only
        size_t lead = SIZE_MAX;
        for (auto &[i, t] : results)
          if (t.ok && (lead == SIZE_MAX || t.ms < results[lead].ms))
            lead = i;
        double spent = elapsed() - bucketStart;
        std::fprintf(stderr,
                     "\rmamba-tune: %s [%zu/%zu] best %s %.4g ms, %.0f s, "
                     "about %.0f s left   ",
                     bucketKey.c_str(), done, total,
                     lead == SIZE_MAX ? "-" : candidates[lead].name().c_str(),
                     lead == SIZE_MAX ? 0.0 : results[lead].ms, spent,
                     done ? spent / done * (total - done) : 0.0);
      };

      // Exhaustive for small spaces; successive halving for large ones:
      // everything on a few runs, then the best quarter on all of them.
      std::vector<size_t> all(candidates.size());
      for (size_t i = 0; i < all.size(); ++i)
        all[i] = i;
      const bool halving = candidates.size() > 32;
      std::vector<size_t> finalists;
      size_t done = 0, total = candidates.size();
      for (size_t i : all) {
        if (i > 0 && outOfBudget())
          break;
        runTrial(i, halving ? std::min(3, int(runs)) : int(runs));
        progress(++done, total);
        if (results[i].ok)
          finalists.push_back(i);
      }
      if (halving) {
        finalists = best(finalists);
        finalists.resize(std::min(finalists.size(),
                                  std::max<size_t>(8, finalists.size() / 4)));
        if (std::find(finalists.begin(), finalists.end(), 0) ==
                finalists.end() &&
            results[0].ok)
          finalists.push_back(0); // the default's time on full runs too
        total += finalists.size();
        for (size_t i : finalists) {
          if (outOfBudget())
            break;
          runTrial(i, runs);
          progress(++done, total);
        }
        std::vector<size_t> measured;
        for (size_t i : finalists)
          if (results[i].ok && results[i].runs >= runs)
            measured.push_back(i);
        finalists = measured;
      }
      // The default again, now that everything is warm: the better of its two
      // times is what the tuned one must beat.
      if (results[0].ok && !outOfBudget()) {
        const Trial first = results[0];
        const std::string key = bucketKey + "/" + candidates[0].name();
        Trial again;
        {
          runtime::ModuleFile file;
          std::unique_ptr<runtime::Program> program;
          if (file.load(paths[0], error) &&
              (program = backend.load(file, error)) &&
              problem.measure(*program, runs, tolerance, again.relError,
                              again.ms, error) &&
              again.relError <= tolerance && again.ms < first.ms) {
            results[0].ms = again.ms;
            log.add(key, results[0]);
          }
        }
      }
      if (isatty(2))
        std::fprintf(stderr, "\n");
      if (!results[0].ok)
        return fail("the default tiling of scan " + sig.key() + " on " +
                    bucketKey + " failed: " + results[0].why);
      std::vector<size_t> ranked = best(finalists);
      const size_t winner = ranked.empty() ? 0 : ranked.front();
      size_t tried = 0;
      for (auto &[i, t] : results)
        tried += t.ok ? 1 : 0;

      tuning::Entry e;
      e.target = chip;
      e.device = backend.describe();
      e.op = "selective_scan";
      e.signature = {{"d", sig.shape.channels},
                     {"N", sig.shape.states},
                     {"G", sig.shape.groups}};
      e.dtype = sig.type;
      e.bucket = bucket;
      e.config = candidates[winner].config();
      e.ms = results[winner].ms;
      e.defaultMs = results[0].ms;
      e.candidates = static_cast<int64_t>(results.size());
      e.made = today();
      db.put(e);
      if (!db.write(dbPath, error))
        return fail(error);
      std::printf("| %s | %ldx%ld | %.4g | %.4g | %.2fx | %s | %zu of %zu "
                  "(%zu correct) | %.0f |\n",
                  sig.key().c_str(), bucket.batch, bucket.length, e.defaultMs,
                  e.ms, e.defaultMs / e.ms, candidates[winner].name().c_str(),
                  results.size(), candidates.size(), tried,
                  elapsed() - bucketStart);
      std::fflush(stdout);
    }
    (void)sigStart;
  }
  llvm::sys::fs::remove_directories(workDir);
  std::fprintf(stderr, "mamba-tune: wrote %s (%.0f s)\n", dbPath.c_str(),
               elapsed());
  return 0;
}
