//===- SsdBench.cpp - Time compiled Mamba-2 SSD scans on the GPU ----------===//
//
//   mamba-bench-ssd [--runs N] [--markdown FILE] SSD.mmod...
//
// Each module is bench/ssd-kernels.mlir compiled with one set of SSD
// options (bench/make-ssd-kernels.sh): functions ssd_h24 and ssd_h80 for
// the heads of mamba2-130m and mamba2-2.7b, bf16 x, dt, B, C, z and y, f32
// A, D and dt_bias, softplus, one group of N = 128, P = 64: the problem
// bench/peer/ssd_peer.py times mamba_ssm's Triton version on, with inputs
// drawn from the same ranges. Each function is first checked against the
// reference library (a float64 per-step recurrence) on a smaller problem,
// then timed as METHOD.md asks (GpuTiming.h), on input sets rotated to
// leave the L2 cold. The memory floor is bytes (x, B, C, dt, z read once,
// y written once) over the copy bandwidth measured in the same run.
//
//===----------------------------------------------------------------------===//

#include "GpuTiming.h"
#include "HostTensor.h"
#include "SsdInputs.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace mamba;
using runtime::ElementType;
using runtime::Shape;
using runtime::TensorRef;
namespace cuda = runtime::cuda;
using gpu_test::HostTensor;
using namespace mamba::bench;

namespace {

constexpr int64_t kP = 64, kN = 128, kG = 1;

/// PERFORMANCE.md's Mamba-2 rows, with the H100 time of mamba_ssm's Triton
/// mamba_chunk_scan_combined (chunk 256) where it lists one.
struct Row {
  const char *model;
  int64_t H, b, L;
  double publicH100Ms; ///< 0: not listed
};

const Row kRows[] = {
    {"mamba2-130m", 24, 1, 2048, 0.053}, {"mamba2-130m", 24, 8, 2048, 0},
    {"mamba2-2.7b", 80, 1, 2048, 0},     {"mamba2-2.7b", 80, 8, 2048, 0.874},
    {"mamba2-130m", 24, 1, 16384, 0},
};

ssd::Sizes kSizes(int64_t H) { return {H, kP, kN, kG}; }

double setBytes(int64_t H, int64_t b, int64_t L) {
  return 2.0 * b * L * (3 * H * kP + 2 * kG * kN + H);
}

struct ProblemSet {
  std::vector<HostTensor> host; ///< kept only for the correctness check
  std::vector<cuda::DeviceBuffer> inputs;
  std::vector<cuda::DeviceTensor> results;
  cuda::PreparedCall call;
};

bool makeSet(const cuda::LoadedModule &module, const std::string &function,
             int64_t H, int64_t b, int64_t L, uint64_t seed, bool keepHost,
             ProblemSet &set, std::string &error) {
  std::vector<TensorRef> args;
  set.inputs.resize(ssd::NumOperands);
  for (int op = 0; op < ssd::NumOperands; ++op) {
    HostTensor host = ssd::makeOperand(ssd::Operand(op), ElementType::BF16,
                                       kSizes(H), b, L, seed * 16 + op);
    if (!set.inputs[op].allocate(module.device(), host.bytes().size(), error) ||
        !set.inputs[op].copyFromHost(host.bytes().data(), host.bytes().size(),
                                     error))
      return false;
    args.push_back({set.inputs[op].address(), host.shape()});
    if (keepHost)
      set.host.push_back(std::move(host));
  }
  return prepareCall(module, function, args, set.results, set.call, error);
}

/// y's relative L2 error against the reference on (b = 2, L = 333): a
/// timing of a wrong kernel is worthless.
bool checkAgainstReference(const cuda::LoadedModule &module,
                           const std::string &function, int64_t H,
                           double &relError, std::string &error) {
  const int64_t b = 2, L = 333;
  ProblemSet set;
  if (!makeSet(module, function, H, b, L, 12345, /*keepHost=*/true, set, error))
    return false;
  cuda::Stream stream;
  if (!stream.create(module.device(), error) ||
      !set.call.enqueue(stream.handle(), error) || !stream.synchronize(error))
    return false;
  HostTensor y(ElementType::BF16, ssd::operandShape(ssd::X, kSizes(H), b, L));
  if (!set.results[0].buffer.copyToHost(y.bytes().data(), y.bytes().size(),
                                        error))
    return false;
  std::vector<double> actual(static_cast<size_t>(y.numel()));
  for (int64_t i = 0; i < y.numel(); ++i)
    actual[i] = y.get(i);
  relError = gpu_test::relativeL2Error(actual, ssd::expectedY(set.host));
  return true;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "mamba-bench-ssd: %s\n", message.c_str());
  return 1;
}

/// "bench-ssd/ssd_q32_p64.mmod" -> "q32_p64".
std::string configName(const std::string &path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  name = name.substr(0, name.rfind(".mmod"));
  return name.rfind("ssd_", 0) == 0 ? name.substr(4) : name;
}

} // namespace

int main(int argc, char **argv) {
  int runs = 100;
  std::string markdownPath;
  std::vector<std::string> modules;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--markdown" && i + 1 < argc)
      markdownPath = argv[++i];
    else if (!arg.empty() && arg[0] == '-')
      return fail("unknown option " + arg +
                  "; usage: mamba-bench-ssd [--runs N] [--markdown FILE] "
                  "SSD.mmod...");
    else
      modules.push_back(arg);
  }
  if (modules.empty())
    return fail("no modules given (bench/make-ssd-kernels.sh builds them)");

  std::string error;
  cuda::Device device;
  double copyBandwidth = 0;
  if (!openBenchGpu(device, copyBandwidth, error))
    return fail(error);
  std::printf("%s, copy bandwidth %.0f GB/s\n", device.describe().c_str(),
              copyBandwidth / 1e9);

  std::string table =
      "| model | H | b | L | config | ms (median) | ms (min) | GB/s | % of "
      "copy BW | H100 public ms | check |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string &path : modules) {
    runtime::ModuleFile file;
    cuda::LoadedModule module;
    if (!file.load(path, error) || !module.load(file, device, error))
      return fail(path + ": " + error);
    for (int64_t H : {24, 80}) {
      std::string function = "ssd_h" + std::to_string(H);
      if (!file.findFunction(function))
        return fail(path + ": no function " + function +
                    " (compile bench/ssd-kernels.mlir)");
      double relError = 0;
      try {
        if (!checkAgainstReference(module, function, H, relError, error))
          return fail(path + ": " + error);
      } catch (const std::exception &e) {
        return fail(path + ": the reference failed: " + e.what());
      }
      std::printf("%s %s: y rel L2 %.2e vs the reference (bf16 limit 1e-2)%s\n",
                  path.c_str(), function.c_str(), relError,
                  relError <= 1e-2 ? "" : "  ** WRONG **");
      for (const Row &row : kRows) {
        if (row.H != H)
          continue;
        double bytes = setBytes(H, row.b, row.L);
        int sets = static_cast<int>(
            std::min<double>(64, std::ceil(4.0 * device.l2Bytes() / bytes)));
        std::vector<std::unique_ptr<ProblemSet>> problems;
        std::vector<cuda::PreparedCall *> calls;
        for (int s = 0; s < sets; ++s) {
          problems.push_back(std::make_unique<ProblemSet>());
          if (!makeSet(module, function, H, row.b, row.L, 1000 + s, false,
                       *problems.back(), error))
            return fail(path + ": " + error);
          calls.push_back(&problems.back()->call);
        }
        Timing timing;
        if (!timeCalls(calls, device, runs, timing, error))
          return fail(path + ": " + error);
        double gbs = bytes / (timing.medianMs * 1e-3) / 1e9;
        char line[512];
        std::snprintf(
            line, sizeof(line),
            "| %s | %lld | %lld | %lld | %s | %.4f | %.4f | %.0f | "
            "%.0f%% | %s | %.1e |\n",
            row.model, static_cast<long long>(H), static_cast<long long>(row.b),
            static_cast<long long>(row.L), configName(path).c_str(),
            timing.medianMs, timing.minMs, gbs,
            100.0 * gbs * 1e9 / copyBandwidth,
            row.publicH100Ms > 0
                ? std::to_string(row.publicH100Ms).substr(0, 5).c_str()
                : "-",
            relError);
        table += line;
        std::printf("%s", line);
        std::fflush(stdout);
      }
    }
  }
  std::printf("\n%s", table.c_str());
  if (!markdownPath.empty()) {
    std::ofstream out(markdownPath);
    out << device.describe() << ", copy bandwidth " << copyBandwidth / 1e9
        << " GB/s, " << runs << " timed runs per row\n\n"
        << table;
  }
  return 0;
}
