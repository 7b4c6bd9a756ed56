//===- OpsGpuTest.cpp - The compiled ops around the scan, on the GPU ------===//
//
// Each test runs one function of test-kernels/ops.mmod (from
// unittests/Gpu/compiled/ops.mlir) on fresh random inputs with poisoned outputs
// and compares every result with the reference library on the very values
// uploaded.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"
#include "HostTensor.h"
#include "ScanCase.h"
#include "mamba/Reference/CausalConv1d.h"
#include "mamba/Reference/GatedRmsNorm.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/Model.h"
#include "mamba/Reference/RmsNorm.h"
#include "mamba/Reference/SelectiveScan.h"
#include "mamba/Reference/SsdScan.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <sys/stat.h>

namespace mamba::gpu_test {
namespace {

using runtime::ElementType;
using runtime::Shape;
using runtime::TensorRef;
namespace cuda = runtime::cuda;
using Draw = std::function<double(std::mt19937_64 &)>;

constexpr ElementType kF32 = ElementType::F32;
constexpr ElementType kBF16 = ElementType::BF16;
constexpr ElementType kF16 = ElementType::F16;
constexpr ElementType kI32 = ElementType::I32;

Draw normal(double mean, double stddev) {
  return [=](std::mt19937_64 &rng) {
    return std::normal_distribution<double>(mean, stddev)(rng);
  };
}
Draw uniform(double lo, double hi) {
  return [=](std::mt19937_64 &rng) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
}
Draw integers(int64_t lo, int64_t hi) {
  return [=](std::mt19937_64 &rng) {
    return static_cast<double>(
        std::uniform_int_distribution<int64_t>(lo, hi)(rng));
  };
}
/// A = -exp(A_log) with A_log as a trained Mamba has it.
Draw negativeDecay() {
  return [](std::mt19937_64 &rng) {
    return -std::exp(std::uniform_real_distribution<double>(
        std::log(0.5), std::log(16.0))(rng));
  };
}

struct Arg {
  ElementType element;
  Shape shape;
  Draw draw;
};

/// What one run of a function read and wrote.
struct FunctionRun {
  std::vector<HostTensor> inputs;
  std::vector<reference::Tensor>
      refs; ///< the inputs as the reference sees them
  std::vector<std::vector<double>> outputs;
  std::vector<Shape> outputShapes;
};

std::string opsModulePath() {
  for (const std::string &dir : kernelDirectories()) {
    std::string path = dir + "/ops.mmod";
    struct stat info;
    if (::stat(path.c_str(), &info) == 0)
      return path;
  }
  return {};
}

/// Runs `function` on inputs drawn from `args` with seed (test, index).
void runFunction(const std::string &function, const std::vector<Arg> &args,
                 const std::string &seedName, size_t seedIndex,
                 FunctionRun &run) {
  std::string path = opsModulePath();
  ASSERT_FALSE(path.empty()) << "ops.mmod is in none of the kernel directories";
  std::string error;
  const LoadedModuleFile *loaded = loadModuleFile(path, error);
  ASSERT_NE(loaded, nullptr) << error;
  const runtime::FunctionSpec *fn = loaded->file.findFunction(function);
  ASSERT_NE(fn, nullptr) << path << " has no function " << function;
  ASSERT_EQ(fn->args.size(), args.size()) << function << "'s arguments";

  std::mt19937_64 rng(caseSeed(seedName, seedIndex));
  std::vector<cuda::DeviceBuffer> buffers(args.size());
  std::vector<TensorRef> refs;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < args.size(); ++i) {
    ASSERT_EQ(fn->args[i].element, args[i].element)
        << function << " argument " << i;
    HostTensor host(args[i].element, args[i].shape);
    for (int64_t k = 0; k < host.numel(); ++k)
      host.set(k, args[i].draw(rng));
    ASSERT_TRUE(
        buffers[i].allocate(gpuState().device, host.bytes().size(), error) &&
        buffers[i].copyFromHost(host.bytes().data(), host.bytes().size(),
                                error))
        << error;
    refs.push_back({buffers[i].address(), args[i].shape});
    shapes.push_back(args[i].shape);
    run.refs.push_back(host.toReference());
    run.inputs.push_back(std::move(host));
  }
  ASSERT_TRUE(runtime::checkArgShapes(*fn, shapes, error)) << error;
  std::vector<cuda::DeviceTensor> results;
  ASSERT_TRUE(
      cuda::allocateResults(loaded->module, function, shapes, results, error))
      << error;
  std::vector<TensorRef> resultRefs;
  for (cuda::DeviceTensor &r : results) {
    ASSERT_TRUE(poison(r, error)) << error;
    resultRefs.push_back(r.ref());
  }
  ASSERT_TRUE(
      cuda::launchFunction(loaded->module, function, refs, resultRefs, error))
      << error;
  for (cuda::DeviceTensor &r : results) {
    HostTensor host(r.element, r.shape);
    ASSERT_TRUE(
        r.buffer.copyToHost(host.bytes().data(), host.bytes().size(), error))
        << error;
    std::vector<double> values(static_cast<size_t>(host.numel()));
    for (int64_t k = 0; k < host.numel(); ++k)
      values[k] = host.get(k);
    run.outputs.push_back(std::move(values));
    run.outputShapes.push_back(r.shape);
  }
}

/// Compares result `index` with `expected` (shape and values) and prints
/// the error.
void expectResult(const FunctionRun &run, size_t index,
                  const reference::Tensor &expected, const std::string &what,
                  ElementType element) {
  ASSERT_LT(index, run.outputs.size());
  EXPECT_EQ(run.outputShapes[index], expected.shape()) << what << "'s shape";
  double err =
      compareToReference(what, run.outputs[index], expected.values(), element);
  std::printf("  %s: rel L2 %.3g (limit %.0e)\n", what.c_str(), err,
              elementTolerance(element));
}

std::string dims(std::initializer_list<int64_t> sizes) {
  std::string out;
  for (int64_t s : sizes)
    out += (out.empty() ? "" : "x") + std::to_string(s);
  return out;
}

TEST(OpsGpu, RmsNormResidualBf16) {
  MAMBA_REQUIRE_GPU();
  const int64_t D = 1000;
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {2, 33}}) {
    FunctionRun run;
    runFunction("norm_residual_bf16",
                {{kBF16, {b, L, D}, normal(0, 1)},
                 {kBF16, {D}, normal(1, 0.2)},
                 {kF32, {b, L, D}, normal(0, 2)}},
                "norm_residual_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::RmsNormResult ref =
        reference::rmsNorm(run.refs[0], run.refs[1], &run.refs[2], 1e-5);
    expectResult(run, 0, ref.y, "norm " + dims({b, L, D}) + " y", kBF16);
    expectResult(run, 1, ref.residualOut,
                 "norm " + dims({b, L, D}) + " residual_out", kF32);
  }
}

TEST(OpsGpu, RmsNormFirstF32) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (int64_t rows : {1, 5, 300}) {
    FunctionRun run;
    runFunction(
        "norm_first_f32",
        {{kF32, {rows, 64}, normal(0, 1)}, {kF32, {64}, normal(1, 0.2)}},
        "norm_first_f32", index++, run);
    if (HasFatalFailure())
      return;
    reference::RmsNormResult ref =
        reference::rmsNorm(run.refs[0], run.refs[1], nullptr, 1e-6);
    expectResult(run, 0, ref.y, "norm " + dims({rows, 64}) + " y", kF32);
    expectResult(run, 1, ref.residualOut,
                 "norm " + dims({rows, 64}) + " residual_out", kF32);
  }
}

// Mamba-2's gated norm (mamba-tile-rms-norm-gated): a block per (row,
// group), prefill rows with the gate and decode rows without it.
TEST(OpsGpu, GatedNormBf16) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{1, 1}, {2, 37}}) {
    FunctionRun run;
    runFunction("gated_norm_bf16",
                {{kBF16, {b, L, 3072}, normal(0, 1)},
                 {kBF16, {3072}, normal(1, 0.2)},
                 {kBF16, {b, L, 3072}, normal(0, 2)}},
                "gated_norm_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::Tensor want =
        reference::gatedRmsNorm(run.refs[0], &run.refs[2], run.refs[1], 1536);
    expectResult(run, 0, want, "gated norm " + dims({b, L, 3072}), kBF16);
  }
}

TEST(OpsGpu, GatedNormF32NoGate) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (int64_t rows : {1, 16}) {
    FunctionRun run;
    runFunction(
        "gated_norm_f32",
        {{kF32, {rows, 320}, normal(0, 1)}, {kF32, {320}, normal(1, 0.2)}},
        "gated_norm_f32", index++, run);
    if (HasFatalFailure())
      return;
    reference::Tensor want =
        reference::gatedRmsNorm(run.refs[0], nullptr, run.refs[1], 40, 1e-6);
    expectResult(run, 0, want, "gated norm " + dims({rows, 320}), kF32);
  }
}

// Mamba-2's SSD scan in bf16 (mamba-tile-ssd-chunked, the chunked
// tensor-core kernel) against the reference's ssdScan: every option,
// lengths of 1 to 300 (one chunk, a part of one, several and a tail),
// packed sequences (seq_idx rises every 7 positions, so inside chunks and
// across their edges) after initial states. The kernel's products are
// bf16 with f32 sums, as mamba_ssm's are: its f32 final states hold bf16's
// precision, and are held to bf16's limit.
TEST(OpsGpu, SsdScanBf16AllOptions) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{1, 1}, {2, 37}, {1, 300}}) {
    int64_t position = 0;
    Draw rising = [position](std::mt19937_64 &) mutable {
      return static_cast<double>(position++ / 7);
    };
    FunctionRun run;
    runFunction("ssd_scan_bf16_all",
                {{kBF16, {b, L, 4, 64}, normal(0, 1)},
                 {kBF16, {b, L, 4}, normal(-1, 1)},
                 {kF32, {4}, negativeDecay()},
                 {kBF16, {b, L, 1, 128}, normal(0, 1)},
                 {kBF16, {b, L, 1, 128}, normal(0, 1)},
                 {kF32, {4, 64}, normal(1, 0.5)},
                 {kBF16, {b, L, 4, 64}, normal(0, 1)},
                 {kF32, {4}, normal(0, 0.5)},
                 {kF32, {b, 4, 64, 128}, normal(0, 1)},
                 {kI32, {b, L}, rising}},
                "ssd_scan_bf16_all", index++, run);
    if (HasFatalFailure())
      return;
    reference::DtOptions dt{true, 0.001, 0.5};
    reference::SsdScanResult want =
        reference::ssdScan(run.refs[0], run.refs[1], run.refs[2], run.refs[3],
                           run.refs[4], &run.refs[5], &run.refs[6],
                           &run.refs[7], &run.refs[8], &run.refs[9], dt);
    expectResult(run, 0, want.y, "ssd scan " + dims({b, L, 4, 64}) + " y",
                 kBF16);
    expectResult(run, 1, want.finalStates,
                 "ssd scan " + dims({b, L, 4, 64}) + " final states", kBF16);
  }
}

TEST(OpsGpu, SsdScanBf16Groups) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{3, 64}, {2, 130}}) {
    FunctionRun run;
    runFunction("ssd_scan_bf16_groups",
                {{kBF16, {b, L, 8, 32}, normal(0, 1)},
                 {kBF16, {b, L, 8}, normal(-2, 1)},
                 {kF32, {8}, negativeDecay()},
                 {kBF16, {b, L, 2, 64}, normal(0, 1)},
                 {kBF16, {b, L, 2, 64}, normal(0, 1)},
                 {kF32, {8}, normal(1, 0.5)}},
                "ssd_scan_bf16_groups", index++, run);
    if (HasFatalFailure())
      return;
    reference::DtOptions dt;
    dt.softplus = true;
    reference::SsdScanResult want = reference::ssdScan(
        run.refs[0], run.refs[1], run.refs[2], run.refs[3], run.refs[4],
        &run.refs[5], nullptr, nullptr, nullptr, nullptr, dt);
    expectResult(run, 0, want.y, "ssd scan " + dims({b, L, 8, 32}) + " y",
                 kBF16);
    expectResult(run, 1, want.finalStates,
                 "ssd scan " + dims({b, L, 8, 32}) + " final states", kBF16);
  }
}

// The chunked kernel at its edge sizes: N = 256 in eight groups (L = 1
// and a chunk and a tail), N = 16 in f16 after initial states.
TEST(OpsGpu, SsdScanChunkedEdgeSizes) {
  MAMBA_REQUIRE_GPU();
  reference::DtOptions dt;
  dt.softplus = true;
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{2, 1}, {1, 45}}) {
    FunctionRun run;
    runFunction("ssd_scan_bf16_n256_g8",
                {{kBF16, {b, L, 8, 32}, normal(0, 1)},
                 {kBF16, {b, L, 8}, normal(-2, 1)},
                 {kF32, {8}, negativeDecay()},
                 {kBF16, {b, L, 8, 256}, normal(0, 1)},
                 {kBF16, {b, L, 8, 256}, normal(0, 1)},
                 {kF32, {8}, normal(1, 0.5)},
                 {kBF16, {b, L, 8, 32}, normal(0, 1)}},
                "ssd_scan_bf16_n256_g8", index++, run);
    if (HasFatalFailure())
      return;
    reference::SsdScanResult want = reference::ssdScan(
        run.refs[0], run.refs[1], run.refs[2], run.refs[3], run.refs[4],
        &run.refs[5], &run.refs[6], nullptr, nullptr, nullptr, dt);
    expectResult(run, 0, want.y, "ssd scan N=256 " + dims({b, L}) + " y",
                 kBF16);
    expectResult(run, 1, want.finalStates,
                 "ssd scan N=256 " + dims({b, L}) + " final states", kBF16);
  }
  FunctionRun run;
  const int64_t b = 3, L = 50;
  runFunction("ssd_scan_f16_n16",
              {{kF16, {b, L, 2, 64}, normal(0, 1)},
               {kF16, {b, L, 2}, normal(-2, 1)},
               {kF32, {2}, negativeDecay()},
               {kF16, {b, L, 1, 16}, normal(0, 1)},
               {kF16, {b, L, 1, 16}, normal(0, 1)},
               {kF32, {b, 2, 64, 16}, normal(0, 1)}},
              "ssd_scan_f16_n16", 0, run);
  if (HasFatalFailure())
    return;
  reference::SsdScanResult want = reference::ssdScan(
      run.refs[0], run.refs[1], run.refs[2], run.refs[3], run.refs[4], nullptr,
      nullptr, nullptr, &run.refs[5], nullptr, dt);
  expectResult(run, 0, want.y, "ssd scan f16 N=16 y", kF16);
  expectResult(run, 1, want.finalStates, "ssd scan f16 N=16 final states",
               kF16);
}

TEST(OpsGpu, SsdScanF32Groups) {
  MAMBA_REQUIRE_GPU();
  FunctionRun run;
  const int64_t b = 2, L = 70;
  runFunction("ssd_scan_f32",
              {{kF32, {b, L, 8, 16}, normal(0, 1)},
               {kF32, {b, L, 8}, uniform(0.001, 0.2)},
               {kF32, {8}, negativeDecay()},
               {kF32, {b, L, 2, 16}, normal(0, 1)},
               {kF32, {b, L, 2, 16}, normal(0, 1)},
               {kF32, {8}, normal(1, 0.5)}},
              "ssd_scan_f32", 0, run);
  if (HasFatalFailure())
    return;
  reference::SsdScanResult want =
      reference::ssdScan(run.refs[0], run.refs[1], run.refs[2], run.refs[3],
                         run.refs[4], &run.refs[5]);
  expectResult(run, 0, want.y, "ssd scan f32 y", kF32);
  expectResult(run, 1, want.finalStates, "ssd scan f32 final states", kF32);
}

// Mamba-2's decode step with heads (mamba-tile-ssd-step) against the
// reference's ssdStep: y and the new state.
TEST(OpsGpu, SsdStepBf16AllOptions) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (int64_t b : {1, 3}) {
    FunctionRun run;
    runFunction("ssd_step_bf16",
                {{kF32, {b, 4, 64, 128}, normal(0, 1)},
                 {kBF16, {b, 4, 64}, normal(0, 1)},
                 {kBF16, {b, 4}, normal(-1, 1)},
                 {kF32, {4}, negativeDecay()},
                 {kBF16, {b, 1, 128}, normal(0, 1)},
                 {kBF16, {b, 1, 128}, normal(0, 1)},
                 {kF32, {4}, normal(1, 0.5)},
                 {kBF16, {b, 4, 64}, normal(0, 1)},
                 {kF32, {4}, normal(0, 0.5)}},
                "ssd_step_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::DtOptions dt{true, 0.001, 0.5};
    reference::SsdStepResult want = reference::ssdStep(
        run.refs[0], run.refs[1], run.refs[2], run.refs[3], run.refs[4],
        run.refs[5], &run.refs[6], &run.refs[7], &run.refs[8], dt);
    expectResult(run, 0, want.y, "ssd step " + dims({b, 4, 64}) + " y", kBF16);
    expectResult(run, 1, want.newState,
                 "ssd step " + dims({b, 4, 64, 128}) + " state", kF32);
  }
}

TEST(OpsGpu, SsdStepF32GroupsDPerChannel) {
  MAMBA_REQUIRE_GPU();
  FunctionRun run;
  const int64_t b = 2;
  runFunction("ssd_step_f32",
              {{kF32, {b, 8, 16, 16}, normal(0, 1)},
               {kF32, {b, 8, 16}, normal(0, 1)},
               {kF32, {b, 8}, uniform(0.001, 0.2)},
               {kF32, {8}, negativeDecay()},
               {kF32, {b, 2, 16}, normal(0, 1)},
               {kF32, {b, 2, 16}, normal(0, 1)},
               {kF32, {8, 16}, normal(1, 0.5)}},
              "ssd_step_f32", 0, run);
  if (HasFatalFailure())
    return;
  reference::SsdStepResult want =
      reference::ssdStep(run.refs[0], run.refs[1], run.refs[2], run.refs[3],
                         run.refs[4], run.refs[5], &run.refs[6]);
  expectResult(run, 0, want.y, "ssd step f32 y", kF32);
  expectResult(run, 1, want.newState, "ssd step f32 state", kF32);
}

/// The last K inputs of each channel, oldest first, zeros before the start.
reference::Tensor lastInputs(const reference::Tensor &x, int64_t K) {
  int64_t b = x.dim(0), d = x.dim(1), L = x.dim(2);
  reference::Tensor out = reference::Tensor::zeros({b, d, K});
  for (int64_t row = 0; row < b * d; ++row)
    for (int64_t k = 0; k < K; ++k)
      if (L - K + k >= 0)
        out[row * K + k] = x[row * L + L - K + k];
  return out;
}

TEST(OpsGpu, CausalConvSiluBf16) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] : {std::pair<int64_t, int64_t>{2, 1},
                      {1, 3},
                      {2, 200},
                      {1, 1000},
                      {2, 2048},
                      {1, 2100}}) {
    FunctionRun run;
    runFunction("conv_silu_bf16",
                {{kBF16, {b, 96, L}, normal(0, 1)},
                 {kBF16, {96, 4}, normal(0, 0.5)},
                 {kBF16, {96}, normal(0, 0.5)}},
                "conv_silu_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::Tensor y = reference::causalConv1d(
        run.refs[0], run.refs[1], &run.refs[2], reference::Activation::SiLU);
    expectResult(run, 0, y, "conv " + dims({b, 96, L}) + " y", kBF16);
    expectResult(run, 1, lastInputs(run.refs[0], 4),
                 "conv " + dims({b, 96, L}) + " final_state", kBF16);
  }
}

// Mamba-2's channels-last conv: the same sums over [b, L, d] (the reference
// takes [b, d, L]); lengths inside one block of 32 steps, across several,
// and ending inside one.
TEST(OpsGpu, ChannelsLastConvSiluBf16) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] :
       {std::pair<int64_t, int64_t>{2, 1}, {1, 3}, {2, 64}, {1, 100}}) {
    FunctionRun run;
    runFunction("conv_channels_last_bf16",
                {{kBF16, {b, L, 200}, normal(0, 1)},
                 {kBF16, {200, 4}, normal(0, 0.5)},
                 {kBF16, {200}, normal(0, 0.5)}},
                "conv_channels_last_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::Tensor xcl = reference::swapLastTwoDims(run.refs[0]);
    reference::Tensor y = reference::causalConv1d(
        xcl, run.refs[1], &run.refs[2], reference::Activation::SiLU);
    expectResult(run, 0, reference::swapLastTwoDims(y),
                 "channels-last conv " + dims({b, L, 200}) + " y", kBF16);
    expectResult(run, 1, lastInputs(xcl, 4),
                 "channels-last conv " + dims({b, L, 200}) + " final_state",
                 kBF16);
  }
}

TEST(OpsGpu, ChannelsLastConvPlainF32) {
  MAMBA_REQUIRE_GPU();
  FunctionRun run;
  runFunction(
      "conv_channels_last_f32",
      {{kF32, {3, 77, 64}, normal(0, 1)}, {kF32, {64, 3}, normal(0, 0.5)}},
      "conv_channels_last_f32", 0, run);
  if (HasFatalFailure())
    return;
  reference::Tensor y = reference::causalConv1d(
      reference::swapLastTwoDims(run.refs[0]), run.refs[1]);
  expectResult(run, 0, reference::swapLastTwoDims(y),
               "channels-last conv 3x77x64 y", kF32);
}

TEST(OpsGpu, CausalConvPlainF32) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (auto [b, L] :
       {std::pair<int64_t, int64_t>{1, 2}, {3, 129}, {2, 256}, {1, 1040}}) {
    FunctionRun run;
    runFunction(
        "conv_plain_f32",
        {{kF32, {b, 64, L}, normal(0, 1)}, {kF32, {64, 3}, normal(0, 0.5)}},
        "conv_plain_f32", index++, run);
    if (HasFatalFailure())
      return;
    reference::Tensor y = reference::causalConv1d(run.refs[0], run.refs[1]);
    expectResult(run, 0, y, "conv " + dims({b, 64, L}) + " y", kF32);
  }
}

std::vector<int64_t> ids(const reference::Tensor &t) {
  std::vector<int64_t> out;
  for (double v : t.values())
    out.push_back(static_cast<int64_t>(v));
  return out;
}

TEST(OpsGpu, EmbeddingBf16) {
  MAMBA_REQUIRE_GPU();
  FunctionRun run;
  runFunction(
      "embed_bf16",
      {{kI32, {2, 5}, integers(0, 299)}, {kBF16, {300, 96}, normal(0, 1)}},
      "embed_bf16", 0, run);
  if (HasFatalFailure())
    return;
  reference::Tensor y =
      reference::embedding(run.refs[1], ids(run.refs[0]), {2, 5});
  expectResult(run, 0, y, "embedding 2x5 of 300x96", kBF16);
}

TEST(OpsGpu, EmbeddingF32) {
  MAMBA_REQUIRE_GPU();
  FunctionRun run;
  runFunction("embed_f32",
              {{kI32, {7}, integers(0, 49)}, {kF32, {50, 64}, normal(0, 1)}},
              "embed_f32", 0, run);
  if (HasFatalFailure())
    return;
  reference::Tensor y =
      reference::embedding(run.refs[1], ids(run.refs[0]), {7});
  expectResult(run, 0, y, "embedding 7 of 50x64", kF32);
}

TEST(OpsGpu, ConvStepBf16) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (int64_t b : {1, 5}) {
    FunctionRun run;
    runFunction("conv_step_bf16",
                {{kBF16, {b, 96, 4}, normal(0, 1)},
                 {kBF16, {b, 96}, normal(0, 1)},
                 {kBF16, {96, 4}, normal(0, 0.5)},
                 {kBF16, {96}, normal(0, 0.5)}},
                "conv_step_bf16", index++, run);
    if (HasFatalFailure())
      return;
    reference::ConvStateUpdateResult ref =
        reference::convStateUpdate(run.refs[0], run.refs[1], run.refs[2],
                                   &run.refs[3], reference::Activation::SiLU);
    expectResult(run, 0, ref.y, "conv step b" + std::to_string(b) + " y",
                 kBF16);
    expectResult(run, 1, ref.newConvState,
                 "conv step b" + std::to_string(b) + " new_conv_state", kBF16);
  }
}

/// A state-update case: N states, G groups, every option.
void runStateUpdate(const std::string &function, ElementType act, int64_t d,
                    int64_t N, int64_t G, bool options) {
  int index = 0;
  for (int64_t b : {1, 5}) {
    std::vector<Arg> args = {
        {kF32, {b, d, N}, normal(0, 1)},
        {act, {b, d}, normal(0, 1)},
        {act, {b, d}, options ? normal(0, 0.5) : uniform(0.001, 0.1)},
        {kF32, {d, N}, negativeDecay()},
        {act, {b, G, N}, normal(0, 1)},
        {act, {b, G, N}, normal(0, 1)},
    };
    if (options) {
      args.push_back({kF32, {d}, normal(0, 1)});
      args.push_back({act, {b, d}, normal(0, 1)});
      args.push_back({kF32, {d}, uniform(-6.9, -2.25)});
    }
    FunctionRun run;
    runFunction(function, args, function, index++, run);
    if (::testing::Test::HasFatalFailure())
      return;
    const std::vector<reference::Tensor> &r = run.refs;
    reference::SelectiveStateUpdateResult ref = reference::selectiveStateUpdate(
        r[0], r[1], r[2], r[3], r[4], r[5], options ? &r[6] : nullptr,
        options ? &r[7] : nullptr, options ? &r[8] : nullptr, options);
    std::string name = function + " b" + std::to_string(b);
    expectResult(run, 0, ref.y, name + " y", act);
    // The state is f32 but follows the activations' softplus accuracy.
    expectResult(run, 1, ref.newState, name + " new_state", act);
  }
}

TEST(OpsGpu, SsmStepF32) {
  MAMBA_REQUIRE_GPU();
  runStateUpdate("ssm_step_f32", kF32, 200, 16, 1, true);
}

TEST(OpsGpu, SsmStepBf16N64G2) {
  MAMBA_REQUIRE_GPU();
  runStateUpdate("ssm_step_bf16_n64_g2", kBF16, 96, 64, 2, true);
}

TEST(OpsGpu, SsmStepF32BareN1) {
  MAMBA_REQUIRE_GPU();
  runStateUpdate("ssm_step_f32_bare_n1", kF32, 8, 1, 1, false);
}

/// The fused decode step against the reference's unfused ops: conv state
/// update, x_proj, dt_proj, state update (in float64, no intermediate
/// rounding).
void runSelectiveStep(const std::string &function, ElementType act, int64_t E,
                      int64_t N, int64_t R, int64_t K, bool convBias) {
  int index = 0;
  for (int64_t b : {1, 5}) {
    std::vector<Arg> args = {
        {act, {b, 2 * E}, normal(0, 1)},
        {act, {b, E, K}, normal(0, 1)},
        {kF32, {b, E, N}, normal(0, 1)},
        {act, {E, K}, normal(0, 0.5)},
    };
    if (convBias)
      args.push_back({act, {E}, normal(0, 0.5)});
    // x_proj and dt_proj scaled as trained ones are, so that dt lands in
    // softplus's usual range and B, C stay O(1).
    args.push_back({act, {R + 2 * N, E}, normal(0, 1.0 / std::sqrt(E))});
    args.push_back({act, {E, R}, normal(0, 1.0 / std::sqrt(R))});
    args.push_back({kF32, {E}, uniform(-6.9, -2.25)});
    args.push_back({kF32, {E, N}, negativeDecay()});
    args.push_back({kF32, {E}, normal(1, 0.2)});
    FunctionRun run;
    runFunction(function, args, function, index++, run);
    if (::testing::Test::HasFatalFailure())
      return;
    const std::vector<reference::Tensor> &r = run.refs;
    size_t w = convBias ? 5 : 4; // x_proj's index
    reference::ConvStateUpdateResult conv = reference::convStateUpdate(
        r[1], reference::sliceLastDim(r[0], 0, E), r[3],
        convBias ? &r[4] : nullptr, reference::Activation::SiLU);
    reference::Tensor proj = reference::linear(conv.y, r[w]);
    reference::Tensor dt =
        reference::linear(reference::sliceLastDim(proj, 0, R), r[w + 1]);
    reference::Tensor B =
        reference::sliceLastDim(proj, R, R + N).reshaped({b, 1, N});
    reference::Tensor C =
        reference::sliceLastDim(proj, R + N, R + 2 * N).reshaped({b, 1, N});
    reference::Tensor z = reference::sliceLastDim(r[0], E, 2 * E);
    reference::SelectiveStateUpdateResult ssm = reference::selectiveStateUpdate(
        r[2], conv.y, dt, r[w + 3], B, C, &r[w + 4], &z, &r[w + 2], true);
    std::string name = function + " b" + std::to_string(b);
    expectResult(run, 0, ssm.y, name + " y", act);
    expectResult(run, 1, conv.newConvState, name + " new_conv_state", act);
    expectResult(run, 2, ssm.newState, name + " new_ssm_state", act);
  }
}

TEST(OpsGpu, SelectiveStepBf16) {
  MAMBA_REQUIRE_GPU();
  runSelectiveStep("selective_step_bf16", kBF16, 192, 16, 12, 4, true);
}

TEST(OpsGpu, SelectiveStepF32N32) {
  MAMBA_REQUIRE_GPU();
  runSelectiveStep("selective_step_f32_n32", kF32, 384, 32, 8, 3, false);
}

/// Compares the kernel's ids with the reference's first-of-equal-maxima
/// argmax exactly: any other index is a wrong token.
void expectIds(const FunctionRun &run, const std::vector<int64_t> &expected,
               const std::string &what) {
  ASSERT_EQ(run.outputs.size(), 1u) << what;
  ASSERT_EQ(run.outputs[0].size(), expected.size()) << what;
  size_t wrong = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    if (static_cast<int64_t>(run.outputs[0][i]) != expected[i] && wrong++ < 4)
      ADD_FAILURE() << what << " row " << i << ": id " << run.outputs[0][i]
                    << ", expected " << expected[i];
  EXPECT_EQ(wrong, 0u) << what;
  std::printf("  %s: %zu of %zu rows wrong\n", what.c_str(), wrong,
              expected.size());
}

TEST(OpsGpu, ArgmaxBf16) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  // Normal logits (one maximum), then a handful of levels so that most
  // rows have ties the first index must win.
  for (const Draw &draw : {normal(0, 3), integers(-3, 3)})
    for (int64_t b : {1, 16}) {
      FunctionRun run;
      runFunction("argmax_bf16", {{kBF16, {b, 50280}, draw}}, "argmax_bf16",
                  index++, run);
      if (HasFatalFailure())
        return;
      expectIds(run, reference::argmaxLastDim(run.refs[0]),
                "argmax " + dims({b, 50280}) + " draw " +
                    std::to_string(index - 1));
    }
}

TEST(OpsGpu, ArgmaxF32) {
  MAMBA_REQUIRE_GPU();
  int index = 0;
  for (const Draw &draw : {normal(0, 1), integers(0, 2)}) {
    FunctionRun run;
    runFunction("argmax_f32", {{kF32, {3, 5, 37}, draw}}, "argmax_f32", index++,
                run);
    if (HasFatalFailure())
      return;
    expectIds(run, reference::argmaxLastDim(run.refs[0]),
              "argmax 3x5x37 draw " + std::to_string(index - 1));
  }
}

} // namespace
} // namespace mamba::gpu_test
