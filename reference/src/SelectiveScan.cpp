//===- SelectiveScan.cpp - Mamba-1 selective scan and its decode step -----===//

#include "mamba/Reference/SelectiveScan.h"

#include "ShapeCheck.h"
#include "mamba/Reference/Activation.h"

#include <cmath>

namespace mamba::reference {

using detail::checkOptionalShape;
using detail::checkShape;
using detail::fail;

namespace {

/// The per-(batch, channel) operands of one time step. B and C are strided
/// because the scan stores them [.., N, L] and the decode step [.., N].
struct StepOperands {
  const double *A; ///< [N]
  const double *B;
  const double *C;
  int64_t bcStride;
  int64_t N;
};

/// Advances h by one step and returns sum_n C[n] * h[n], before D and z.
double advance(double *h, const StepOperands &ops, double dt, double u) {
  double y = 0.0;
  for (int64_t n = 0; n < ops.N; ++n) {
    h[n] = std::exp(dt * ops.A[n]) * h[n] + dt * ops.B[n * ops.bcStride] * u;
    y += ops.C[n * ops.bcStride] * h[n];
  }
  return y;
}

double discretizeDelta(double delta, const Tensor *bias, int64_t c,
                       bool softplusOn) {
  double dt = delta + (bias ? (*bias)[c] : 0.0);
  return softplusOn ? softplus(dt) : dt;
}

double finishOutput(double y, const Tensor *D, const Tensor *z, int64_t c,
                    int64_t zIndex, double u) {
  if (D)
    y += (*D)[c] * u;
  if (z)
    y *= silu((*z)[zIndex]);
  return y;
}

/// G must be a positive divisor of d: channels are split evenly over groups.
void checkGroups(const std::string &op, int64_t G, int64_t d) {
  if (G <= 0 || d % G != 0)
    fail(op, "B has G=" + std::to_string(G) +
                 " groups, which does not divide d=" + std::to_string(d));
}

} // namespace

SelectiveScanResult selectiveScan(const Tensor &u, const Tensor &delta,
                                  const Tensor &A, const Tensor &B,
                                  const Tensor &C, const Tensor *D,
                                  const Tensor *z, const Tensor *deltaBias,
                                  const Tensor *initialState,
                                  bool deltaSoftplus) {
  const std::string op = "selective_scan";
  checkShape(op, "u", u, {"b", "d", "L"});
  int64_t b = u.dim(0), d = u.dim(1), L = u.dim(2);
  checkShape(op, "delta", delta, {{"b", b}, {"d", d}, {"L", L}});
  checkShape(op, "A", A, {{"d", d}, "N"});
  int64_t N = A.dim(1);
  checkShape(op, "B", B, {{"b", b}, "G", {"N", N}, {"L", L}});
  int64_t G = B.dim(1);
  checkShape(op, "C", C, {{"b", b}, {"G", G}, {"N", N}, {"L", L}});
  checkGroups(op, G, d);
  checkOptionalShape(op, "D", D, {{"d", d}});
  checkOptionalShape(op, "z", z, {{"b", b}, {"d", d}, {"L", L}});
  checkOptionalShape(op, "delta_bias", deltaBias, {{"d", d}});
  checkOptionalShape(op, "initial_state", initialState,
                     {{"b", b}, {"d", d}, {"N", N}});

  SelectiveScanResult result{Tensor::zeros({b, d, L}),
                             initialState ? *initialState
                                          : Tensor::zeros({b, d, N})};
  int64_t channelsPerGroup = G ? d / G : 0;
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t c = 0; c < d; ++c) {
      int64_t g = c / channelsPerGroup;
      int64_t bcBase = ((bi * G + g) * N) * L;
      double *h = result.finalState.data() + (bi * d + c) * N;
      int64_t rowBase = (bi * d + c) * L;
      for (int64_t t = 0; t < L; ++t) {
        StepOperands ops{A.data() + c * N, B.data() + bcBase + t,
                         C.data() + bcBase + t, L, N};
        double ut = u[rowBase + t];
        double dt =
            discretizeDelta(delta[rowBase + t], deltaBias, c, deltaSoftplus);
        double y = advance(h, ops, dt, ut);
        result.y[rowBase + t] = finishOutput(y, D, z, c, rowBase + t, ut);
      }
    }
  }
  return result;
}

SelectiveStateUpdateResult
selectiveStateUpdate(const Tensor &state, const Tensor &x, const Tensor &dt,
                     const Tensor &A, const Tensor &B, const Tensor &C,
                     const Tensor *D, const Tensor *z, const Tensor *dtBias,
                     bool deltaSoftplus) {
  const std::string op = "selective_state_update";
  checkShape(op, "state", state, {"b", "d", "N"});
  int64_t b = state.dim(0), d = state.dim(1), N = state.dim(2);
  checkShape(op, "x", x, {{"b", b}, {"d", d}});
  checkShape(op, "dt", dt, {{"b", b}, {"d", d}});
  checkShape(op, "A", A, {{"d", d}, {"N", N}});
  checkShape(op, "B", B, {{"b", b}, "G", {"N", N}});
  int64_t G = B.dim(1);
  checkShape(op, "C", C, {{"b", b}, {"G", G}, {"N", N}});
  checkGroups(op, G, d);
  checkOptionalShape(op, "D", D, {{"d", d}});
  checkOptionalShape(op, "z", z, {{"b", b}, {"d", d}});
  checkOptionalShape(op, "dt_bias", dtBias, {{"d", d}});

  SelectiveStateUpdateResult result{Tensor::zeros({b, d}), state};
  int64_t channelsPerGroup = G ? d / G : 0;
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t c = 0; c < d; ++c) {
      int64_t g = c / channelsPerGroup;
      int64_t bcBase = (bi * G + g) * N;
      StepOperands ops{A.data() + c * N, B.data() + bcBase, C.data() + bcBase,
                       1, N};
      int64_t i = bi * d + c;
      double step = discretizeDelta(dt[i], dtBias, c, deltaSoftplus);
      double y = advance(result.newState.data() + i * N, ops, step, x[i]);
      result.y[i] = finishOutput(y, D, z, c, i, x[i]);
    }
  }
  return result;
}

} // namespace mamba::reference
