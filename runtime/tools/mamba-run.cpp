//===- mamba-run.cpp - Generate tokens with a compiled model --------------===//
//
//   mamba-run model.mmod --weights MODEL_DIR --prompt-ids 1,2,3
//             [--max-new-tokens 32] [--batch 1] [--temperature 0]
//             [--top-k 0] [--top-p 1] [--seed 0] [--no-cuda-graph]
//             [--gemm-tuning] [--bench [--prompt-length 512] [--repeat 5]]
//             [--device auto|cpu|cuda|cuda:N] [--threads N]
//             [--dump-logits FILE] [--all-logits] [--profile]
//
// Prints each row's generated ids and the rate; --bench measures prefill
// tokens/s, decode ms/token and peak GPU memory on random prompts (or the
// given one), the medians of --repeat runs. --dump-logits writes, as raw
// little-endian float32, prefill's logits [batch, length, vocab] and then
// those of each decode step [new tokens - 1, batch, vocab] (for checks
// against other implementations: scripts/check-transformers.py). Prefill
// computes only each prompt's last logits, which is all generation reads,
// unless --dump-logits or --all-logits asks for every position's (what a
// forward pass returns; for comparing prefill times with one).
// --profile times every step of prefill and of one decode step (without
// the graph) and prints where the time goes, by kernel and GEMM shape. Uses
// only the runtime: its host core over the backends this build has
// (OpenDevice.h: CUDA through the driver and cuBLASLt, the CPU through
// the system's loader and OpenBLAS, each opened at run time).
//
//===----------------------------------------------------------------------===//

#include "mamba/Runtime/Generator.h"
#include "mamba/Runtime/OpenDevice.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace mamba::runtime;

namespace {

struct Options {
  std::string module, weights, dumpLogits;
  /// One prompt per row ("1,2;3,4"), or one for every row of --batch.
  std::vector<std::vector<int32_t>> promptIds;
  bool batchGiven = false;
  int64_t maxNewTokens = 32, batch = 1, promptLength = 0, repeat = 5;
  /// "auto", "cpu", "cuda" (device 0) or "cuda:N".
  std::string device = "auto";
  int threads = 0; ///< CPU threads; 0: MAMBA_THREADS or every core
  SamplingOptions sampling;
  bool graphs = true, tuneGemms = false, bench = false, profile = false,
       allLogits = false, checkWeights = false;
};

const char *const kUsage =
    "usage: mamba-run MODEL.mmod --weights MODEL_DIR [--prompt-ids "
    "1,2,3[;4,5,6]]\n"
    "         [--max-new-tokens N] [--batch N] [--temperature T] [--top-k K]\n"
    "         [--top-p P] [--seed S] [--no-cuda-graph] [--gemm-tuning]\n"
    "         [--device auto|cpu|cuda|cuda:N] [--threads N]\n"
    "         [--bench [--prompt-length N] [--repeat N]] [--dump-logits FILE]\n"
    "         [--all-logits] [--profile] [--check-weights]\n";

[[noreturn]] void usageError(const std::string &what) {
  std::fprintf(stderr, "mamba-run: %s\n%s", what.c_str(), kUsage);
  std::exit(2);
}

int64_t parseInt(const std::string &flag, const char *text, int64_t min) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min)
    usageError(flag + " expects an integer of at least " + std::to_string(min) +
               ", got '" + text + "'");
  return v;
}

double parseDouble(const std::string &flag, const char *text) {
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text, &end);
  if (errno || end == text || *end)
    usageError(flag + " expects a number, got '" + text + "'");
  return v;
}

std::vector<int32_t> parseRow(const std::string &s) {
  std::vector<int32_t> ids;
  size_t begin = 0;
  while (begin <= s.size()) {
    size_t end = s.find(',', begin);
    if (end == std::string::npos)
      end = s.size();
    std::string item = s.substr(begin, end - begin);
    int64_t id = parseInt("--prompt-ids", item.c_str(), 0);
    if (id > INT32_MAX)
      usageError("--prompt-ids: id '" + item + "' does not fit in 32 bits");
    ids.push_back(static_cast<int32_t>(id));
    begin = end + 1;
  }
  return ids;
}

std::vector<std::vector<int32_t>> parseIds(const char *text) {
  std::vector<std::vector<int32_t>> rows;
  std::string s = text;
  size_t begin = 0;
  while (begin <= s.size()) {
    size_t end = s.find(';', begin);
    if (end == std::string::npos)
      end = s.size();
    rows.push_back(parseRow(s.substr(begin, end - begin)));
    if (rows.back().size() != rows.front().size())
      usageError("--prompt-ids: every row (';'-separated) needs the same "
                 "number of ids");
    begin = end + 1;
  }
  return rows;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        usageError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--weights")
      o.weights = value();
    else if (a == "--prompt-ids")
      o.promptIds = parseIds(value());
    else if (a == "--max-new-tokens")
      o.maxNewTokens = parseInt(a, value(), 1);
    else if (a == "--batch") {
      o.batch = parseInt(a, value(), 1);
      o.batchGiven = true;
    } else if (a == "--prompt-length")
      o.promptLength = parseInt(a, value(), 1);
    else if (a == "--repeat")
      o.repeat = parseInt(a, value(), 1);
    else if (a == "--device")
      o.device = value();
    else if (a == "--threads")
      o.threads = static_cast<int>(parseInt(a, value(), 1));
    else if (a == "--temperature")
      o.sampling.temperature = parseDouble(a, value());
    else if (a == "--top-k")
      o.sampling.topK = parseInt(a, value(), 0);
    else if (a == "--top-p")
      o.sampling.topP = parseDouble(a, value());
    else if (a == "--seed")
      o.sampling.seed = static_cast<uint64_t>(parseInt(a, value(), 0));
    else if (a == "--no-cuda-graph")
      o.graphs = false;
    else if (a == "--gemm-tuning")
      o.tuneGemms = true;
    else if (a == "--all-logits")
      o.allLogits = true;
    else if (a == "--check-weights")
      o.checkWeights = true;
    else if (a == "--bench")
      o.bench = true;
    else if (a == "--profile")
      o.profile = true;
    else if (a == "--dump-logits")
      o.dumpLogits = value();
    else if (a == "-h" || a == "--help") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else if (!a.empty() && a[0] == '-')
      usageError("unknown option '" + a + "'");
    else if (o.module.empty())
      o.module = a;
    else
      usageError("a second module file '" + a + "'");
  }
  if (o.module.empty())
    usageError("no module file");
  if (o.weights.empty())
    usageError("--weights MODEL_DIR is required");
  if (o.promptIds.empty() && !o.bench)
    usageError("--prompt-ids is required (or --bench for random prompts)");
  if (o.promptIds.size() > 1) {
    if (o.batchGiven && o.batch != static_cast<int64_t>(o.promptIds.size()))
      usageError("--batch differs from the number of --prompt-ids rows");
    o.batch = static_cast<int64_t>(o.promptIds.size());
  }
  std::string error;
  if (!o.sampling.validate(error))
    usageError(error);
  return o;
}

/// A bar on stderr while the weights upload, when stderr is a terminal;
/// otherwise one line at the end.
class ProgressBar {
public:
  ProgressBar() : tty_(::isatty(2)) {}
  void operator()(uint64_t done, uint64_t total) {
    int percent = total ? static_cast<int>(100 * done / total) : 100;
    if (tty_ && percent != last_) {
      int filled = percent / 4;
      std::fprintf(stderr, "\rloading weights [%.*s%*s] %3d%% of %.1f MiB",
                   filled, "#########################", 25 - filled, "",
                   percent, total / 1048576.0);
      last_ = percent;
    }
    if (done == total && !finished_) {
      finished_ = true;
      std::fprintf(stderr, tty_ ? "\n" : "loaded %.1f MiB of weights\n",
                   total / 1048576.0);
    }
  }

private:
  bool tty_;
  int last_ = -1;
  bool finished_ = false;
};

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void fail(const std::string &error) {
  std::fprintf(stderr, "mamba-run: %s\n", error.c_str());
  std::exit(1);
}

/// --dump-logits' file. It is made at the start, under a temporary name
/// beside the path, so that a path that cannot be written fails before the
/// model loads and runs; it replaces the path only once every logit is
/// written, and is removed when the run fails.
class LogitsFile {
public:
  void open(const std::string &path) {
    struct stat info;
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
      fail("--dump-logits: " + path + " is a directory");
    temporary_ = path + ".XXXXXX";
    int fd = ::mkstemp(temporary_.data());
    if (fd < 0) {
      temporary_.clear();
      fail("--dump-logits: cannot write " + path + ": " + std::strerror(errno));
    }
    // mkstemp makes the file private; the logits get a new file's mode.
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    path_ = path;
    file_ = ::fdopen(fd, "wb");
    std::atexit([] { instance().discard(); });
  }

  void write(Generator &gen,
             const std::vector<std::vector<float>> &stepLogits) {
    std::string error;
    std::vector<float> prefill;
    if (!gen.prefillLogits(prefill, error))
      fail(error);
    bool ok = file_ && std::fwrite(prefill.data(), 4, prefill.size(), file_) ==
                           prefill.size();
    for (size_t s = 1; s < stepLogits.size() && ok; ++s)
      ok = std::fwrite(stepLogits[s].data(), 4, stepLogits[s].size(), file_) ==
           stepLogits[s].size();
    ok = file_ && std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || std::rename(temporary_.c_str(), path_.c_str()) != 0)
      fail("--dump-logits: writing " + path_ +
           " failed: " + std::strerror(errno));
    temporary_.clear();
  }

  static LogitsFile &instance() {
    static LogitsFile file;
    return file;
  }

private:
  void discard() {
    if (file_)
      std::fclose(file_);
    file_ = nullptr;
    if (!temporary_.empty())
      ::unlink(temporary_.c_str());
    temporary_.clear();
  }

  std::string path_, temporary_;
  FILE *file_ = nullptr;
};

/// Time per step, grouped by kernel function or GEMM shape, with the bytes
/// each moves at least (operands read once, results written once) and what
/// that makes of the copy bandwidth; GEMMs also with their TFLOP/s.
void printProfile(const PreparedEntry &entry, Queue &queue,
                  double copyBytesPerS) {
  std::string error;
  std::vector<double> ms;
  if (!entry.profile(queue, ms, error) || !entry.profile(queue, ms, error))
    fail(error);
  struct Group {
    int calls = 0;
    double ms = 0;
    double bytes = 0;
    double flops = 0;
  };
  std::map<std::string, Group> byName;
  double total = 0;
  for (size_t i = 0; i < ms.size(); ++i) {
    Group &g = byName[entry.stepName(i)];
    StepCost cost = stepCost(entry.entry(), entry.layout(), i);
    ++g.calls;
    g.ms += ms[i];
    g.bytes += static_cast<double>(cost.bytes);
    g.flops += static_cast<double>(cost.flops);
    total += ms[i];
  }
  std::vector<std::pair<double, std::string>> order;
  for (const auto &[name, g] : byName)
    order.push_back({g.ms, name});
  std::sort(order.rbegin(), order.rend());
  std::printf("profile of %s: %.3f ms in %zu steps (events between steps; "
              "copy bandwidth %.0f GB/s)\n",
              entry.entry().name.c_str(), total, ms.size(),
              copyBytesPerS / 1e9);
  std::printf("| step | calls | ms | share | MB moved | GB/s | %% of copy | "
              "TFLOP/s |\n|---|---|---|---|---|---|---|---|\n");
  for (const auto &[t, name] : order) {
    const Group &g = byName[name];
    double rate = g.bytes / (t * 1e-3);
    std::printf("| %s | %d | %.4f | %.1f%% | %.1f | %.0f | %.0f%% |",
                name.c_str(), g.calls, t, 100 * t / total, g.bytes / 1e6,
                rate / 1e9, 100 * rate / copyBytesPerS);
    if (g.flops > 0)
      std::printf(" %.1f |\n", g.flops / (t * 1e-3) / 1e12);
    else
      std::printf(" |\n");
  }
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  if (!o.dumpLogits.empty())
    LogitsFile::instance().open(o.dumpLogits);
  std::string error;
  ModuleFile file;
  if (!file.load(o.module, error))
    fail(error);
  OpenedDevice device;
  if (!openDevice(file, o.module, DeviceRequest{o.device, o.threads}, device,
                  error))
    fail(error);
  Backend &backend = device.backend();
  uint64_t free0 = 0, total = 0, freeNow = 0;
  if (!backend.memoryInfo(free0, total, error))
    fail(error);

  Model model;
  ProgressBar progress;
  auto loadStart = std::chrono::steady_clock::now();
  LoadOptions loadOptions;
  loadOptions.progress = [&](uint64_t d, uint64_t t) { progress(d, t); };
  loadOptions.checkWeights = o.checkWeights;
  if (!model.load(o.module, o.weights, backend, error, loadOptions))
    fail(error);
  double loadS = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - loadStart)
                     .count();

  int64_t length = o.promptIds.empty()
                       ? (o.promptLength ? o.promptLength : 512)
                       : static_cast<int64_t>(o.promptIds[0].size());
  if (!o.promptIds.empty() && o.promptLength && o.promptLength != length)
    usageError("--prompt-length differs from the number of --prompt-ids");
  Generator gen;
  GeneratorOptions options;
  options.batch = o.batch;
  options.promptLength = length;
  options.replayDecodeStep = o.graphs;
  options.tuneGemms = o.tuneGemms;
  options.allLogits = o.allLogits || !o.dumpLogits.empty();
  if (!gen.prepare(model, options, error))
    fail(error);
  for (const std::vector<int32_t> &row : o.promptIds)
    for (int32_t id : row)
      if (id >= gen.vocab())
        fail("--prompt-ids: id " + std::to_string(id) +
             " is not below the vocabulary size " +
             std::to_string(gen.vocab()));

  std::vector<int32_t> prompt;
  std::mt19937_64 rng(o.sampling.seed);
  std::uniform_int_distribution<int32_t> token(0, int32_t(gen.vocab() - 1));
  for (int64_t r = 0; r < o.batch; ++r)
    for (int64_t t = 0; t < length; ++t)
      prompt.push_back(o.promptIds.empty()
                           ? token(rng)
                           : o.promptIds[o.promptIds.size() > 1 ? r : 0][t]);

  std::printf("%s on %s\n", o.module.c_str(), backend.describe().c_str());
  std::printf("%s\n", gen.describe().c_str());
  std::printf("code: %s\n", model.program().describe().c_str());
  std::printf("weights: %.1f MiB in %.2f s\n", model.weightBytes() / 1048576.0,
              loadS);

  int runs = o.bench ? static_cast<int>(o.repeat) : 1;
  std::vector<double> prefillMs, decodeMs;
  std::vector<std::vector<int32_t>> tokens;
  uint64_t minFree = free0;
  for (int run = 0; run < runs; ++run) {
    GenerationTimes times;
    std::vector<std::vector<float>> stepLogits;
    bool dump = run == 0 && !o.dumpLogits.empty();
    auto start = std::chrono::steady_clock::now();
    if (!gen.generate(prompt, o.maxNewTokens, o.sampling, tokens, error, &times,
                      {}, dump ? &stepLogits : nullptr))
      fail(error);
    double wallS =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!backend.memoryInfo(freeNow, total, error))
      fail(error);
    minFree = std::min(minFree, freeNow);
    prefillMs.push_back(times.prefillMs);
    decodeMs.push_back(median(times.decodeMs));
    if (dump)
      LogitsFile::instance().write(gen, stepLogits);
    if (run == 0) {
      for (size_t r = 0; r < tokens.size(); ++r) {
        std::printf("row %zu:", r);
        for (int32_t t : tokens[r])
          std::printf(" %d", t);
        std::printf("\n");
      }
      std::printf("%lld new tokens per row in %.3f s: %.1f tokens/s\n",
                  static_cast<long long>(o.maxNewTokens), wallS,
                  o.batch * o.maxNewTokens / wallS);
    }
  }
  if (o.profile) {
    double copy = 0;
    if (!backend.measureCopyBandwidth(gen.queue(), copy, error))
      fail("measuring the copy bandwidth: " + error);
    printProfile(gen.prefillEntry(), gen.queue(), copy);
    printProfile(gen.decodeEntry(), gen.queue(), copy);
  }
  if (o.bench) {
    double p = median(prefillMs), d = median(decodeMs);
    std::printf("| batch | prompt | prefill ms | prefill tokens/s | decode "
                "ms/token | decode tokens/s | peak %s MiB |\n",
                backend.kind() == "cuda" ? "GPU" : "host");
    std::printf("|---|---|---|---|---|---|---|\n");
    std::printf("| %lld | %lld | %.3f | %.0f | %.4f | %.0f | %.0f |\n",
                static_cast<long long>(o.batch), static_cast<long long>(length),
                p, o.batch * length / p * 1e3, d,
                d > 0 ? o.batch / d * 1e3 : 0.0, (free0 - minFree) / 1048576.0);
  }
  return 0;
}
