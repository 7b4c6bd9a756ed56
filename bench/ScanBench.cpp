//===- ScanBench.cpp - Time compiled selective scans on the GPU -----------===//
//
//   mamba-bench-scan [--runs N] [--rows b,d,L;...] [--markdown FILE]
//                    KERNEL.mmod...
//
// Each module is a scan compiled by bench/make-scan-kernels.sh for one
// channel count d and one tile configuration: bf16 u, delta, z, B, C and y,
// f32 A, D and delta_bias, softplus on, one group, N = 16 (the benchmark set
// of ../shared/design/PERFORMANCE.md). For every row of that set whose d
// matches, the module is checked once against the reference library on a
// smaller problem of the same d, then timed as METHOD.md asks: CUDA events
// around each launch, warm-up first, the median of many runs, fresh random
// inputs rotated over enough sets to leave the L2 cache cold, and the
// device-to-device copy bandwidth measured in the same run.
//
//===----------------------------------------------------------------------===//

#include "GpuTiming.h"
#include "HostTensor.h"
#include "ScanInputs.h"
#include "mamba/Runtime/Cuda.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
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

/// One row of the benchmark set, with the H100 numbers of PERFORMANCE.md
/// that the targets are stated against.
struct Row {
  int64_t b, d, L;
  double publicMs; ///< mamba_ssm selective_scan_fwd, H100
  double targetMs; ///< 2x faster than it
};

const Row kRows[] = {
    {1, 1536, 2048, 0.0705, 0.035},  {8, 1536, 2048, 0.4504, 0.225},
    {16, 1536, 2048, 0.8800, 0.440}, {4, 4096, 2048, 0.5950, 0.298},
    {1, 5120, 16384, 1.9424, 0.971}, {64, 1536, 512, 0.7936, 0.397},
    {1, 1536, 128, 0.0167, 0.010},
};

/// One set of inputs and its output, on the device.
struct ProblemSet {
  std::vector<HostTensor> host; ///< kept only for the correctness check
  std::vector<cuda::DeviceBuffer> inputs;
  std::vector<TensorRef> args;
  std::vector<cuda::DeviceTensor> results;
  cuda::PreparedCall call;
};

bool makeSet(const cuda::LoadedModule &module, int64_t b, int64_t d, int64_t L,
             uint64_t seed, bool keepHost, ProblemSet &set,
             std::string &error) {
  set.inputs.resize(NumOperands);
  for (int op = 0; op < NumOperands; ++op) {
    Shape shape = operandShape(Operand(op), b, d, L);
    HostTensor host =
        makeOperand(Operand(op), ElementType::BF16, b, d, L, seed * 16 + op);
    if (!set.inputs[op].allocate(module.device(), host.bytes().size(), error) ||
        !set.inputs[op].copyFromHost(host.bytes().data(), host.bytes().size(),
                                     error)) {
      error = std::string(kOperandNames[op]) + ": " + error;
      return false;
    }
    set.args.push_back({set.inputs[op].address(), shape});
    if (keepHost)
      set.host.push_back(std::move(host));
  }
  return prepareCall(module, "scan", set.args, set.results, set.call, error);
}

/// Runs the module once on (b=2, d, L=777) and returns y's relative L2
/// error against the reference: a timing of a wrong kernel is worthless.
bool checkAgainstReference(const cuda::LoadedModule &module, int64_t d,
                           double &relError, std::string &error) {
  const int64_t b = 2, L = 777;
  ProblemSet set;
  if (!makeSet(module, b, d, L, 12345, /*keepHost=*/true, set, error))
    return false;
  cuda::Stream stream;
  if (!stream.create(module.device(), error) ||
      !set.call.enqueue(stream.handle(), error) || !stream.synchronize(error))
    return false;
  HostTensor y(ElementType::BF16, {b, d, L});
  if (!set.results[0].buffer.copyToHost(y.bytes().data(), y.bytes().size(),
                                        error))
    return false;
  relError = scanRelativeError(set.host, y);
  return true;
}

/// "scan_d1536_cb64_s16_t16.mmod" -> "cb64_s16_t16".
std::string configName(const std::string &path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  name = name.substr(0, name.rfind(".mmod"));
  size_t underscore = name.find('_', name.find("_d") + 1);
  return underscore == std::string::npos ? name : name.substr(underscore + 1);
}

struct Result {
  Row row;
  std::string config;
  Timing timing;
  double relError = 0;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "mamba-bench-scan: %s\n", message.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  int runs = 100;
  std::string markdownPath, rowFilter;
  std::vector<std::string> modules;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--markdown" && i + 1 < argc)
      markdownPath = argv[++i];
    else if (arg == "--rows" && i + 1 < argc)
      rowFilter = std::string(";") + argv[++i] + ";";
    else if (!arg.empty() && arg[0] == '-')
      return fail("unknown option " + arg +
                  "; usage: mamba-bench-scan [--runs N] [--rows b,d,L;...] "
                  "[--markdown FILE] KERNEL.mmod...");
    else
      modules.push_back(arg);
  }
  if (modules.empty())
    return fail("no kernel modules given (build them with "
                "bench/make-scan-kernels.sh)");

  std::string error;
  cuda::Device device;
  double copyBandwidth = 0;
  if (!openBenchGpu(device, copyBandwidth, error))
    return fail(error);
  // The MUFU unit: 16 exponentials per clock per SM.
  double expRate = 16.0 * device.multiprocessors() * device.clockKHz() * 1e3;
  std::printf("%s, copy bandwidth %.0f GB/s, exp rate %.3g /s\n",
              device.describe().c_str(), copyBandwidth / 1e9, expRate);

  std::vector<Result> results;
  for (const std::string &path : modules) {
    runtime::ModuleFile file;
    cuda::LoadedModule module;
    if (!file.load(path, error) || !module.load(file, device, error))
      return fail(path + ": " + error);
    const runtime::FunctionSpec *fn = file.findFunction("scan");
    if (!fn || fn->args.size() != NumOperands || fn->args[0].shape.size() != 3)
      return fail(path + ": expected a function 'scan' of the 8 operands "
                         "u, delta, A, B, C, D, z, delta_bias");
    int64_t d = fn->args[0].shape[1];
    double relError = 0;
    try {
      if (!checkAgainstReference(module, d, relError, error))
        return fail(path + ": " + error);
    } catch (const std::exception &e) {
      return fail(path + ": the reference failed: " + e.what());
    }
    std::printf("%s: d=%lld, y rel L2 %.2e vs the reference (bf16 limit "
                "1e-2)%s\n",
                path.c_str(), static_cast<long long>(d), relError,
                relError <= 1e-2 ? "" : "  ** WRONG **");
    for (const Row &row : kRows) {
      std::string key = ";" + std::to_string(row.b) + "," +
                        std::to_string(row.d) + "," + std::to_string(row.L) +
                        ";";
      if (row.d != d ||
          (!rowFilter.empty() && rowFilter.find(key) == std::string::npos))
        continue;
      double setBytes =
          2.0 * (4 * row.b * row.d * row.L + 2 * row.b * kStates * row.L);
      // Enough sets that each launch finds its inputs out of the L2.
      int sets = static_cast<int>(
          std::min<double>(64, std::ceil(4.0 * device.l2Bytes() / setBytes)));
      std::vector<std::unique_ptr<ProblemSet>> problems;
      for (int s = 0; s < sets; ++s) {
        problems.push_back(std::make_unique<ProblemSet>());
        if (!makeSet(module, row.b, row.d, row.L, 1000 + s, false,
                     *problems.back(), error))
          return fail(path + ": " + error);
      }
      Result result{row, configName(path), {}, relError};
      std::vector<cuda::PreparedCall *> calls;
      for (auto &problem : problems)
        calls.push_back(&problem->call);
      if (!timeCalls(calls, device, runs, result.timing, error))
        return fail(path + ": " + error);
      results.push_back(result);
    }
  }

  // The table, rows in the order of PERFORMANCE.md, every configuration.
  std::string table =
      "| b | d | L | config | ms (median) | ms (min) | GB/s | % of copy BW | "
      "% of floor | H100 public ms | target ms | check |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row &row : kRows)
    for (const Result &r : results) {
      if (r.row.b != row.b || r.row.d != row.d || r.row.L != row.L)
        continue;
      double bytes =
          2.0 * (4 * row.b * row.d * row.L + 2 * row.b * kStates * row.L);
      double floorMs =
          1e3 * std::max(bytes / copyBandwidth,
                         double(row.b) * row.d * row.L * kStates / expRate);
      double gbs = bytes / (r.timing.medianMs * 1e-3) / 1e9;
      char line[512];
      std::snprintf(
          line, sizeof(line),
          "| %lld | %lld | %lld | %s | %.4f | %.4f | %.0f | %.0f%% | "
          "%.0f%% | %.4f | %.3f | %.1e |\n",
          static_cast<long long>(row.b), static_cast<long long>(row.d),
          static_cast<long long>(row.L), r.config.c_str(), r.timing.medianMs,
          r.timing.minMs, gbs, 100.0 * gbs * 1e9 / copyBandwidth,
          100.0 * floorMs / r.timing.medianMs, row.publicMs, row.targetMs,
          r.relError);
      table += line;
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
