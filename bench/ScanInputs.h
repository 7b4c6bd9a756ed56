//===- ScanInputs.h - The benchmark scans' operands and values --*- C++ -*-===//
//
// What the GPU and CPU scan benchmarks share: the operands of a compiled
// `scan` function (bench/make-scan-kernels.sh, bench/cpu-scan.sh) in its
// argument order, their shapes for one (b, d, L), random values in the
// ranges of a trained model, so that both time the same problem, and the
// check of a result against the reference library.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_BENCH_SCANINPUTS_H
#define MAMBA_BENCH_SCANINPUTS_H

#include "HostTensor.h"
#include "mamba/Reference/SelectiveScan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace mamba::bench {

using format::ElementType;
using format::Shape;
using gpu_test::HostTensor;

/// One group, N = 16: the Mamba-1 models of PERFORMANCE.md.
constexpr int64_t kStates = 16;

/// The scan's operands in the modules' argument order.
enum Operand { U, Delta, A, B, C, D, Z, DeltaBias, NumOperands };
inline const char *const kOperandNames[] = {"u", "delta", "A", "B",
                                            "C", "D",     "z", "delta_bias"};

inline Shape operandShape(Operand op, int64_t b, int64_t d, int64_t L) {
  switch (op) {
  case A:
    return {d, kStates};
  case B:
  case C:
    return {b, 1, kStates, L};
  case D:
  case DeltaBias:
    return {d};
  default:
    return {b, d, L};
  }
}

/// A, D and delta_bias are f32 whatever the activations are (as in
/// mamba_ssm, where they are parameters kept in f32).
inline ElementType operandElement(Operand op, ElementType activations) {
  return op == A || op == D || op == DeltaBias ? ElementType::F32 : activations;
}

/// Values in the ranges of a trained Mamba (as the GPU tests draw them):
/// dt = softplus(delta + bias) between about 0.001 and 0.1, A = -exp(A_log)
/// in [-16, -0.5], unit-scale activations.
inline double drawValue(Operand op, std::mt19937_64 &rng) {
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  switch (op) {
  case Delta:
    return uniform(-1.0, 1.0);
  case DeltaBias:
    return uniform(-6.9, -2.25);
  case A:
    return -std::exp(uniform(std::log(0.5), std::log(16.0)));
  default:
    return uniform(-1.7, 1.7);
  }
}

/// Fills `host` with values of `draw` on all cores (a generator per core,
/// seeded from `seed`): inputs of the large rows take seconds otherwise.
template <typename Draw>
void fillParallel(HostTensor &host, uint64_t seed, Draw draw) {
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  int64_t n = host.numel(), per = (n + workers - 1) / workers;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(seed * 7919 + w);
      for (int64_t i = w * per; i < std::min(n, (w + 1) * per); ++i)
        host.set(i, draw(rng));
    });
  for (std::thread &t : threads)
    t.join();
}

inline void fill(HostTensor &host, Operand op, uint64_t seed) {
  fillParallel(host, seed,
               [op](std::mt19937_64 &rng) { return drawValue(op, rng); });
}

inline HostTensor makeOperand(Operand op, ElementType activations, int64_t b,
                              int64_t d, int64_t L, uint64_t seed) {
  HostTensor host(operandElement(op, activations), operandShape(op, b, d, L));
  fill(host, op, seed);
  return host;
}

/// The relative L2 error of `y` against the reference library's scan of
/// `host` (the operands in kOperandNames order) with the benchmark
/// modules' options: D, z, delta_bias and the softplus.
inline double scanRelativeError(const std::vector<HostTensor> &host,
                                const HostTensor &y) {
  std::vector<reference::Tensor> in;
  for (const HostTensor &t : host)
    in.push_back(t.toReference());
  reference::SelectiveScanResult expected = reference::selectiveScan(
      in[U], in[Delta], in[A], in[B], in[C], &in[D], &in[Z], &in[DeltaBias],
      nullptr, /*deltaSoftplus=*/true);
  std::vector<double> actual(static_cast<size_t>(y.numel()));
  for (int64_t i = 0; i < y.numel(); ++i)
    actual[i] = y.get(i);
  return gpu_test::relativeL2Error(actual, expected.y.values());
}

} // namespace mamba::bench

#endif // MAMBA_BENCH_SCANINPUTS_H
