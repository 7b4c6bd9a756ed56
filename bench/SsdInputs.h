//===- SsdInputs.h - The SSD benchmarks' operands and values ----*- C++ -*-===//
//
// What the SSD benchmark (bench/SsdBench.cpp) and mamba-tune's SSD problem
// share: the operands of a compiled SSD function (bench/ssd-kernels.mlir:
// x, dt, A, B, C, D, z, dt_bias; softplus) in argument order, their shapes
// for one (b, L), values in the ranges bench/peer/ssd_peer.py draws for
// mamba_ssm's Triton version, and the reference library's y for them.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_BENCH_SSDINPUTS_H
#define MAMBA_BENCH_SSDINPUTS_H

#include "ScanInputs.h"
#include "mamba/Reference/SsdScan.h"

namespace mamba::bench::ssd {

struct Sizes {
  int64_t H = 0, P = 0, N = 0, G = 1;
};

enum Operand { X, Dt, A, B, C, D, Z, DtBias, NumOperands };
inline const char *const kOperandNames[] = {"x", "dt", "A", "B",
                                            "C", "D",  "z", "dt_bias"};

inline Shape operandShape(Operand op, const Sizes &s, int64_t b, int64_t L) {
  switch (op) {
  case X:
  case Z:
    return {b, L, s.H, s.P};
  case Dt:
    return {b, L, s.H};
  case B:
  case C:
    return {b, L, s.G, s.N};
  default:
    return {s.H};
  }
}

/// A, D and dt_bias are f32 per head whatever the activations are.
inline ElementType operandElement(Operand op, ElementType activations) {
  return op == A || op == D || op == DtBias ? ElementType::F32 : activations;
}

/// A = -exp(A_log) in [-16, -1], dt_bias the inverse softplus of dt in
/// [0.001, 0.1], unit-scale activations.
inline double drawValue(Operand op, std::mt19937_64 &rng) {
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  switch (op) {
  case Dt:
    return uniform(-1.0, 1.0);
  case A:
    return -std::exp(uniform(0.0, std::log(16.0)));
  case DtBias:
    return uniform(-6.9, -2.25);
  default:
    return uniform(-1.7, 1.7);
  }
}

inline HostTensor makeOperand(Operand op, ElementType activations,
                              const Sizes &s, int64_t b, int64_t L,
                              uint64_t seed) {
  HostTensor host(operandElement(op, activations), operandShape(op, s, b, L));
  fillParallel(host, seed,
               [op](std::mt19937_64 &rng) { return drawValue(op, rng); });
  return host;
}

/// The reference library's y ([b, L, H, P]) for `host` (the operands in
/// kOperandNames order) with the benchmark functions' options: D, z,
/// dt_bias and the softplus.
inline std::vector<double> expectedY(const std::vector<HostTensor> &host) {
  std::vector<reference::Tensor> in;
  for (const HostTensor &t : host)
    in.push_back(t.toReference());
  reference::DtOptions dt;
  dt.softplus = true;
  return reference::ssdScan(in[X], in[Dt], in[A], in[B], in[C], &in[D], &in[Z],
                            &in[DtBias], nullptr, nullptr, dt)
      .y.values();
}

} // namespace mamba::bench::ssd

#endif // MAMBA_BENCH_SSDINPUTS_H
