//===- ExpFmaRate.h - This machine's exp + FMA throughput -------*- C++ -*-===//
//
// The floor a CPU scan is held to: every state update costs one
// exponential and one FMA, h = exp(dt * A) * h + dt * B * u, so a scan can
// run no faster than the machine evaluates h = exp(x * a) * h + b on data
// already in L1. Measured two ways, because the compiler may emit either:
// glibc's vector expf (libmvec, called by the vectorized loop) and a short
// AVX2 polynomial inlined into it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_BENCH_EXPFMARATE_H
#define MAMBA_BENCH_EXPFMARATE_H

namespace mamba::bench {

struct ExpFmaRates {
  /// Exponentials (each with its FMA) per second, all threads together.
  double vectorLibrary = 0;
  /// 0 where the build has no AVX2 and FMA.
  double polynomial = 0;
  /// The polynomial's largest error relative to std::exp over the inputs.
  double polynomialError = 0;
};

/// Runs each loop on `threads` threads, each over its own arrays, for about
/// `seconds` per measurement; the median of five measurements.
ExpFmaRates measureExpFmaRates(int threads, double seconds = 0.2);

} // namespace mamba::bench

#endif // MAMBA_BENCH_EXPFMARATE_H
