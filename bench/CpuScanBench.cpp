//===- CpuScanBench.cpp - Time the compiled selective scan on the CPU -----===//
//
//   mamba-bench-scan-cpu [--threads N] [--runs N] [--rows b,d,L;...]
//                        [--reference-runs N] [--torch FILE]
//                        [--markdown FILE] SCAN.mmod...
//
// Issue 15's CPU speed table, in state updates per second (b*d*L*N / s).
// Each module is a scan compiled for the CPU by bench/cpu-scan.sh: one
// channel count d, f32 or bf16 activations, the CPU target's own tiling.
// It is checked once against the reference library on a small problem of
// its d, then timed at every row of that d: the median of --runs calls
// through the runtime's CPU backend, inputs drawn in a trained model's
// ranges (ScanInputs.h) and rotated over sets larger than the last-level
// cache. Beside it, in the same run: the reference library's scalar loop at
// the same rows (one thread, in double: it is the tests' oracle, not a
// kernel), the torch formula's times that bench/scan-ref-torch.py wrote to
// --torch just before, and this machine's floors: the exp + FMA rate
// (ExpFmaRate.h) and the copy bandwidth.
//
//===----------------------------------------------------------------------===//

#include "ExpFmaRate.h"
#include "HostTensor.h"
#include "ScanInputs.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Cpu/ThreadPool.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace mamba;
using namespace mamba::bench;
using runtime::Buffer;
using runtime::ModuleFile;
using runtime::Program;
using runtime::Queue;
using runtime::Step;
using runtime::TensorRef;
using runtime::cpu::CpuBackend;

namespace {

struct Row {
  int64_t b, d, L;
  double updates() const { return double(b) * d * L * kStates; }
  bool operator<(const Row &o) const {
    return std::tie(b, d, L) < std::tie(o.b, o.d, o.L);
  }
};

/// The rows of issue 15: a 130m-sized prompt, a batch of short ones, and
/// the 2.8b model's width.
const Row kDefaultRows[] = {{1, 1536, 2048}, {4, 1536, 512}, {1, 5120, 2048}};

/// What one row gets, in state updates per second (0: not measured).
struct Measured {
  double oursF32 = 0, oursBf16 = 0;
  bool wrongF32 = false, wrongBf16 = false;
  double reference = 0, torch = 0;
};

/// One set of inputs and its output in the backend's memory, with the
/// call prepared.
struct ProblemSet {
  std::vector<std::unique_ptr<Buffer>> buffers; ///< the operands, then y
  std::unique_ptr<Step> step;
};

/// Draws the operands of (b, d, L) from `seed`, uploads them and prepares
/// the call of `scan`; the host copies go to `host` when it is given.
bool makeSet(CpuBackend &backend, Program &program, ElementType activations,
             const Row &row, uint64_t seed, ProblemSet &set, std::string &error,
             std::vector<HostTensor> *host = nullptr) {
  std::vector<TensorRef> args;
  for (int op = 0; op < NumOperands; ++op) {
    HostTensor t = makeOperand(Operand(op), activations, row.b, row.d, row.L,
                               seed * 16 + op);
    set.buffers.push_back(backend.allocate(t.bytes().size(), error));
    if (!set.buffers.back() ||
        !set.buffers.back()->copyFromHost(t.bytes().data(), t.bytes().size(), 0,
                                          error)) {
      error = std::string(kOperandNames[op]) + ": " + error;
      return false;
    }
    args.push_back({set.buffers.back()->address(), t.shape()});
    if (host)
      host->push_back(std::move(t));
  }
  const uint64_t yBytes =
      uint64_t(row.b * row.d * row.L) * format::elementTypeSize(activations);
  set.buffers.push_back(backend.allocate(yBytes, error));
  if (!set.buffers.back())
    return false;
  // All ones is a NaN in f32 and in bf16: an element the kernel does not
  // write cannot pass the check. It also faults the pages in before timing.
  std::memset(reinterpret_cast<void *>(set.buffers.back()->address()), 0xff,
              yBytes);
  std::vector<TensorRef> results = {
      {set.buffers.back()->address(), {row.b, row.d, row.L}}};
  set.step = program.prepareCall("scan", args, results, error);
  return set.step != nullptr;
}

/// Runs the module once on (b = 2, d, L = 259: not a multiple of any
/// chunk length) and returns y's relative L2 error against the reference:
/// a timing of a wrong kernel is worthless.
bool checkAgainstReference(CpuBackend &backend, Program &program,
                           ElementType activations, int64_t d, double &relError,
                           std::string &error) {
  const Row row{2, d, 259};
  ProblemSet set;
  std::vector<HostTensor> host;
  std::unique_ptr<Queue> queue = backend.createQueue(error);
  if (!queue ||
      !makeSet(backend, program, activations, row, 12345, set, error, &host) ||
      !set.step->enqueue(*queue, error))
    return false;
  HostTensor y(activations, {row.b, row.d, row.L});
  if (!set.buffers.back()->copyToHost(y.bytes().data(), y.bytes().size(), 0,
                                      error))
    return false;
  relError = scanRelativeError(host, y);
  return true;
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// The median time of `runs` calls, rotating over the sets. The CPU queue
/// runs a step while it is enqueued, so the wall time around enqueue is
/// the kernel's, its threads' start and join included.
bool timeCalls(const std::vector<std::unique_ptr<ProblemSet>> &sets,
               Queue &queue, int runs, double &medianSeconds,
               std::string &error) {
  if (!sets.front()->step->enqueue(queue, error))
    return false;
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!sets[i % sets.size()]->step->enqueue(queue, error))
      return false;
    times.push_back(seconds(start));
  }
  medianSeconds = median(times);
  return true;
}

/// The reference library's scan at `row`, on one thread: the median of
/// `runs` calls, the conversion of its inputs to double left out.
double timeReference(const Row &row, int runs) {
  std::vector<reference::Tensor> in;
  for (int op = 0; op < NumOperands; ++op)
    in.push_back(makeOperand(Operand(op), ElementType::F32, row.b, row.d, row.L,
                             777 * 16 + op)
                     .toReference());
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    reference::selectiveScan(in[U], in[Delta], in[A], in[B], in[C], &in[D],
                             &in[Z], &in[DeltaBias], nullptr,
                             /*deltaSoftplus=*/true);
    times.push_back(seconds(start));
  }
  return row.updates() / median(times);
}

/// "b d L seconds" lines of bench/scan-ref-torch.py, as updates per second.
bool readTorchTimes(const std::string &path, std::map<Row, double> &rates,
                    std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Row row;
    double s;
    if (!(fields >> row.b >> row.d >> row.L >> s) || s <= 0) {
      error = path + ": expected \"b d L seconds\" lines, got '" + line + "'";
      return false;
    }
    rates[row] = row.updates() / s;
  }
  return true;
}

bool parseRows(const std::string &text, std::vector<Row> &rows) {
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ';')) {
    Row row;
    char comma1, comma2;
    std::istringstream fields(item);
    if (!(fields >> row.b >> comma1 >> row.d >> comma2 >> row.L) ||
        comma1 != ',' || comma2 != ',' || row.b <= 0 || row.d <= 0 ||
        row.L <= 0)
      return false;
    rows.push_back(row);
  }
  return !rows.empty();
}

/// The first line of /proc/cpuinfo's "model name", for the table's header.
std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0)
      return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

/// CPU time so far, in seconds: the machine's busy time over all cores
/// (/proc/stat; steal counted, as the hypervisor gave it to others) and
/// this process's, all its threads.
struct CpuTime {
  double machine = 0, self = 0;
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
};

CpuTime cpuTime() {
  CpuTime t;
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0,
         softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >>
      steal;
  t.machine =
      (user + nice + system + irq + softirq + steal) / sysconf(_SC_CLK_TCK);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  t.self = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  return t;
}

/// The share of the machine's cores that other processes used since
/// `start`: the machine may be shared, and other work on its cores lowers
/// every number here.
double othersShare(const CpuTime &start) {
  CpuTime now = cpuTime();
  double wall = std::chrono::duration<double>(now.at - start.at).count();
  double others = (now.machine - start.machine) - (now.self - start.self);
  return std::max(0.0, others) / (wall * sysconf(_SC_NPROCESSORS_ONLN));
}

/// "2.15e8": short enough for a table cell.
std::string sci(double v) {
  if (v <= 0)
    return "-";
  int exponent = static_cast<int>(std::floor(std::log10(v)));
  char text[32];
  std::snprintf(text, sizeof(text), "%.2fe%d", v / std::pow(10.0, exponent),
                exponent);
  return text;
}

std::string ratio(double num, double den) {
  if (num <= 0 || den <= 0)
    return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.2fx", num / den);
  return text;
}

std::string rowName(const Row &row) {
  return std::to_string(row.b) + "," + std::to_string(row.d) + "," +
         std::to_string(row.L);
}

int fail(const std::string &message) {
  std::fprintf(stderr, "mamba-bench-scan-cpu: %s\n", message.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  int runs = 20, referenceRuns = 1, threads = 0;
  std::string markdownPath, torchPath, error;
  std::vector<Row> rows;
  std::vector<std::string> modules;
  const char *usage = "usage: mamba-bench-scan-cpu [--threads N] [--runs N] "
                      "[--rows b,d,L;...] [--reference-runs N] [--torch FILE] "
                      "[--markdown FILE] SCAN.mmod...";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--runs" && hasValue)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--threads" && hasValue)
      threads = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--reference-runs" && hasValue)
      referenceRuns = std::max(0, std::atoi(argv[++i]));
    else if (arg == "--torch" && hasValue)
      torchPath = argv[++i];
    else if (arg == "--markdown" && hasValue)
      markdownPath = argv[++i];
    else if (arg == "--rows" && hasValue) {
      if (!parseRows(argv[++i], rows))
        return fail(std::string("--rows: expected \"b,d,L;...\", got '") +
                    argv[i] + "'");
    } else if (!arg.empty() && arg[0] == '-')
      return fail("unknown option " + arg + "; " + usage);
    else
      modules.push_back(arg);
  }
  if (modules.empty())
    return fail(std::string("no scan modules given (bench/cpu-scan.sh "
                            "compiles them); ") +
                usage);
  if (rows.empty())
    rows.assign(std::begin(kDefaultRows), std::end(kDefaultRows));
  if (threads == 0 && !runtime::cpu::defaultThreadCount(threads, error))
    return fail(error);

  std::map<Row, Measured> measured;
  if (!torchPath.empty()) {
    std::map<Row, double> torch;
    if (!readTorchTimes(torchPath, torch, error))
      return fail(error);
    for (const auto &[row, rate] : torch)
      measured[row].torch = rate;
  }

  // The machine's floors first, while nothing else of ours is running.
  const CpuTime start = cpuTime();
  CpuBackend backend(threads);
  std::unique_ptr<Queue> queue = backend.createQueue(error);
  double copyBandwidth = 0;
  if (!queue || !backend.measureCopyBandwidth(*queue, copyBandwidth, error))
    return fail(error);
  ExpFmaRates expRates = measureExpFmaRates(threads);
  const double expFma = std::max(expRates.vectorLibrary, expRates.polynomial);
  std::string machine =
      cpuModel() + "; " + backend.describe() + "; copy bandwidth " +
      std::to_string(int(copyBandwidth / 1e9 + 0.5)) +
      " GB/s (read + write, memcpy on " + std::to_string(threads) + " threads)";
  char expLine[256];
  std::snprintf(expLine, sizeof(expLine),
                "exp+FMA (h = exp(x*a)*h + b, in L1, %d threads): libmvec "
                "expf %s/s, AVX2 polynomial %s/s (max rel error %.1e)",
                threads, sci(expRates.vectorLibrary).c_str(),
                sci(expRates.polynomial).c_str(), expRates.polynomialError);
  std::printf("%s\n%s\n", machine.c_str(), expLine);

  const long llcBytes = std::max(sysconf(_SC_LEVEL3_CACHE_SIZE), 32l << 20);
  for (const std::string &path : modules) {
    ModuleFile file;
    if (!file.load(path, error))
      return fail(path + ": " + error);
    const runtime::FunctionSpec *fn = file.findFunction("scan");
    if (!fn || fn->args.size() != NumOperands ||
        fn->args[U].shape.size() != 3 || fn->results.size() != 1)
      return fail(path + ": expected a function 'scan' of the 8 operands "
                         "u, delta, A, B, C, D, z, delta_bias");
    const int64_t d = fn->args[U].shape[1];
    const ElementType activations = fn->args[U].element;
    if (activations != ElementType::F32 && activations != ElementType::BF16)
      return fail(path + ": activations must be f32 or bf16");
    const bool f32 = activations == ElementType::F32;
    std::unique_ptr<Program> program = backend.load(file, error);
    if (!program)
      return fail(path + ": " + error);

    double relError;
    try {
      if (!checkAgainstReference(backend, *program, activations, d, relError,
                                 error))
        return fail(path + ": " + error);
    } catch (const std::exception &e) {
      return fail(path + ": the reference failed: " + e.what());
    }
    const double limit = f32 ? 1e-4 : 1e-2;
    const bool wrong = !(relError <= limit);
    std::printf("%s: %s, d=%lld, y rel L2 %.2e vs the reference (limit "
                "%.0e)%s\n",
                path.c_str(), format::elementTypeName(activations),
                static_cast<long long>(d), relError, limit,
                wrong ? "  ** WRONG **" : "");
    std::fflush(stdout);

    for (const Row &row : rows) {
      if (row.d != d)
        continue;
      const double setBytes = double(row.b) * row.L *
                              (4.0 * row.d + 2 * kStates) *
                              format::elementTypeSize(activations);
      // Enough sets that a call finds its inputs out of the last-level
      // cache, as a prompt's scan finds the projections' outputs.
      const int sets = static_cast<int>(
          std::clamp(std::ceil(2.0 * llcBytes / setBytes), 1.0, 8.0));
      std::vector<std::unique_ptr<ProblemSet>> problems;
      for (int s = 0; s < sets; ++s) {
        problems.push_back(std::make_unique<ProblemSet>());
        if (!makeSet(backend, *program, activations, row, 1000 + s,
                     *problems.back(), error))
          return fail(path + ": " + error);
      }
      double s;
      const CpuTime rowStart = cpuTime();
      if (!timeCalls(problems, *queue, runs, s, error))
        return fail(path + ": " + error);
      Measured &m = measured[row];
      (f32 ? m.oursF32 : m.oursBf16) = row.updates() / s;
      (f32 ? m.wrongF32 : m.wrongBf16) = wrong;
      std::printf("  ours %s %s: %.2f ms, %s state updates/s (%d sets, "
                  "median of %d; other processes: %.0f%% of the cores)\n",
                  format::elementTypeName(activations), rowName(row).c_str(),
                  s * 1e3, sci(row.updates() / s).c_str(), sets, runs,
                  100 * othersShare(rowStart));
      std::fflush(stdout);
    }
  }

  if (referenceRuns > 0)
    for (const Row &row : rows) {
      measured[row].reference = timeReference(row, referenceRuns);
      std::printf("  reference loop %s: %s state updates/s (1 thread, "
                  "double, median of %d)\n",
                  rowName(row).c_str(), sci(measured[row].reference).c_str(),
                  referenceRuns);
      std::fflush(stdout);
    }

  std::string table =
      "| b,d,L | ours f32 | ours bf16 | reference loop (1 thread) | "
      "torch formula | exp+FMA/s | ours f32 / torch | best ours / exp+FMA |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const Row &row : rows) {
    const Measured &m = measured[row];
    auto ours = [](double rate, bool wrong) {
      return sci(rate) + (wrong ? " **wrong**" : "");
    };
    table += "| " + rowName(row) + " | " + ours(m.oursF32, m.wrongF32) + " | " +
             ours(m.oursBf16, m.wrongBf16) + " | " + sci(m.reference) + " | " +
             sci(m.torch) + " | " + sci(expFma) + " | " +
             ratio(m.oursF32, m.torch) + " | " +
             ratio(std::max(m.oursF32, m.oursBf16), expFma) + " |\n";
  }
  const std::string footer =
      "State updates (b*d*L*N, N = 16) per second; ours: median of " +
      std::to_string(runs) + " calls on " + std::to_string(threads) +
      " threads; exp+FMA/s: the faster of libmvec and the polynomial; other "
      "processes used " +
      std::to_string(int(100 * othersShare(start) + 0.5)) +
      "% of the machine's cores meanwhile.\n";
  std::printf("\n%s\n%s", table.c_str(), footer.c_str());
  if (!markdownPath.empty()) {
    std::ofstream out(markdownPath);
    out << machine << "\n\n" << expLine << "\n\n" << table << "\n" << footer;
  }
  return 0;
}
