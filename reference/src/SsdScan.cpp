//===- SsdScan.cpp - Mamba-2 state space duality scan and its step --------===//

#include "mamba/Reference/SsdScan.h"

#include "ShapeCheck.h"
#include "mamba/Reference/Activation.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mamba::reference {

using detail::checkOptionalShape;
using detail::checkShape;
using detail::fail;

namespace {

/// The sizes of one scan, after every operand is checked.
struct Dims {
  int64_t b, L, H, P, G, N;
};

void checkGroups(const std::string &op, int64_t G, int64_t H) {
  if (G <= 0 || H % G != 0)
    fail(op, "B has G=" + std::to_string(G) +
                 " groups, which does not divide the H=" + std::to_string(H) +
                 " heads");
}

/// D per head [H] or per head and channel [H, P].
void checkD(const std::string &op, const Tensor *D, int64_t H, int64_t P) {
  if (D && D->rank() == 2)
    checkShape(op, "D", *D, {{"H", H}, {"P", P}});
  else
    checkOptionalShape(op, "D", D, {{"H", H}});
}

void checkDtOptions(const std::string &op, const DtOptions &o) {
  if (!(o.low <= o.high))
    fail(op, "dt_limit is (" + std::to_string(o.low) + ", " +
                 std::to_string(o.high) + "), expected low <= high");
}

double dValue(const Tensor *D, int64_t h, int64_t p, int64_t P) {
  if (!D)
    return 0.0;
  return D->rank() == 2 ? (*D)[h * P + p] : (*D)[h];
}

double discretize(double dt, const Tensor *dtBias, int64_t h,
                  const DtOptions &o) {
  dt += dtBias ? (*dtBias)[h] : 0.0;
  if (o.softplus)
    dt = softplus(dt);
  return o.clamps() ? std::clamp(dt, o.low, o.high) : dt;
}

Dims checkScan(const std::string &op, const Tensor &x, const Tensor &dt,
               const Tensor &A, const Tensor &B, const Tensor &C,
               const Tensor *D, const Tensor *z, const Tensor *dtBias,
               const Tensor *initialStates, const Tensor *seqIdx,
               const DtOptions &dtOptions) {
  checkShape(op, "x", x, {"b", "L", "H", "P"});
  Dims d{x.dim(0), x.dim(1), x.dim(2), x.dim(3), 0, 0};
  checkShape(op, "dt", dt, {{"b", d.b}, {"L", d.L}, {"H", d.H}});
  checkShape(op, "A", A, {{"H", d.H}});
  checkShape(op, "B", B, {{"b", d.b}, {"L", d.L}, "G", "N"});
  d.G = B.dim(2);
  d.N = B.dim(3);
  checkShape(op, "C", C, {{"b", d.b}, {"L", d.L}, {"G", d.G}, {"N", d.N}});
  checkGroups(op, d.G, d.H);
  checkD(op, D, d.H, d.P);
  checkOptionalShape(op, "z", z,
                     {{"b", d.b}, {"L", d.L}, {"H", d.H}, {"P", d.P}});
  checkOptionalShape(op, "dt_bias", dtBias, {{"H", d.H}});
  checkOptionalShape(op, "initial_states", initialStates,
                     {{"b", d.b}, {"H", d.H}, {"P", d.P}, {"N", d.N}});
  checkOptionalShape(op, "seq_idx", seqIdx, {{"b", d.b}, {"L", d.L}});
  if (seqIdx)
    for (int64_t bi = 0; bi < d.b; ++bi)
      for (int64_t t = 1; t < d.L; ++t)
        if ((*seqIdx)[bi * d.L + t] < (*seqIdx)[bi * d.L + t - 1])
          fail(op, "seq_idx decreases at row " + std::to_string(bi) +
                       ", position " + std::to_string(t) +
                       ": sequences must be packed in order");
  checkDtOptions(op, dtOptions);
  return d;
}

/// y before D and z, finished: + D x, then * silu(z).
double finish(double y, const Tensor *D, const Tensor *z, int64_t h, int64_t p,
              int64_t P, int64_t xIndex, double x) {
  y += dValue(D, h, p, P) * x;
  return z ? y * silu((*z)[xIndex]) : y;
}

/// Advances one head's state S [P, N] by one position (x [P], B and C
/// [N]) and writes y[p] = S[p] . C, before D and z.
void advanceHead(double *S, int64_t P, int64_t N, double decay, double step,
                 const double *x, const double *B, const double *C, double *y) {
  for (int64_t p = 0; p < P; ++p) {
    y[p] = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      double &s = S[p * N + n];
      s = decay * s + step * x[p] * B[n];
      y[p] += s * C[n];
    }
  }
}

/// Whether positions s <= t of row bi belong to one sequence.
bool sameSequence(const Tensor *seqIdx, int64_t rowBase, int64_t s, int64_t t) {
  return !seqIdx || (*seqIdx)[rowBase + s] == (*seqIdx)[rowBase + t];
}

} // namespace

SsdScanResult ssdScan(const Tensor &x, const Tensor &dt, const Tensor &A,
                      const Tensor &B, const Tensor &C, const Tensor *D,
                      const Tensor *z, const Tensor *dtBias,
                      const Tensor *initialStates, const Tensor *seqIdx,
                      const DtOptions &dtOptions) {
  const std::string op = "ssd_scan";
  const Dims d = checkScan(op, x, dt, A, B, C, D, z, dtBias, initialStates,
                           seqIdx, dtOptions);
  SsdScanResult result{Tensor::zeros(x.shape()),
                       initialStates ? *initialStates
                                     : Tensor::zeros({d.b, d.H, d.P, d.N})};
  const int64_t headsPerGroup = d.H / d.G;
  std::vector<double> y(d.P);
  for (int64_t bi = 0; bi < d.b; ++bi)
    for (int64_t h = 0; h < d.H; ++h) {
      double *S = result.finalStates.data() + (bi * d.H + h) * d.P * d.N;
      const int64_t g = h / headsPerGroup;
      for (int64_t t = 0; t < d.L; ++t) {
        if (t > 0 && !sameSequence(seqIdx, bi * d.L, t - 1, t))
          std::fill(S, S + d.P * d.N, 0.0);
        const int64_t pos = bi * d.L + t;
        const double step = discretize(dt[pos * d.H + h], dtBias, h, dtOptions);
        const double decay = std::exp(step * A[h]);
        const int64_t x0 = (pos * d.H + h) * d.P;
        advanceHead(S, d.P, d.N, decay, step, x.data() + x0,
                    B.data() + (pos * d.G + g) * d.N,
                    C.data() + (pos * d.G + g) * d.N, y.data());
        for (int64_t p = 0; p < d.P; ++p)
          result.y[x0 + p] = finish(y[p], D, z, h, p, d.P, x0 + p, x[x0 + p]);
      }
    }
  return result;
}

SsdScanResult ssdScanChunked(const Tensor &x, const Tensor &dt, const Tensor &A,
                             const Tensor &B, const Tensor &C,
                             int64_t chunkSize, const Tensor *D,
                             const Tensor *z, const Tensor *dtBias,
                             const Tensor *initialStates, const Tensor *seqIdx,
                             const DtOptions &dtOptions) {
  const std::string op = "ssd_scan_chunked";
  const Dims d = checkScan(op, x, dt, A, B, C, D, z, dtBias, initialStates,
                           seqIdx, dtOptions);
  if (chunkSize < 1)
    fail(op, "chunk_size is " + std::to_string(chunkSize) +
                 ", expected at least 1");
  SsdScanResult result{Tensor::zeros(x.shape()),
                       initialStates ? *initialStates
                                     : Tensor::zeros({d.b, d.H, d.P, d.N})};
  const int64_t headsPerGroup = d.H / d.G;
  std::vector<double> step(chunkSize), decaySum(chunkSize), next(d.P * d.N);
  for (int64_t bi = 0; bi < d.b; ++bi)
    for (int64_t h = 0; h < d.H; ++h) {
      // The state entering the chunk: the initial one, then each chunk's.
      double *S = result.finalStates.data() + (bi * d.H + h) * d.P * d.N;
      const int64_t g = h / headsPerGroup, row = bi * d.L;
      auto Bp = [&](int64_t t) {
        return B.data() + ((row + t) * d.G + g) * d.N;
      };
      auto Cp = [&](int64_t t) {
        return C.data() + ((row + t) * d.G + g) * d.N;
      };
      auto xAt = [&](int64_t t, int64_t p) {
        return x[((row + t) * d.H + h) * d.P + p];
      };
      for (int64_t c0 = 0; c0 < d.L; c0 += chunkSize) {
        const int64_t c1 = std::min(c0 + chunkSize, d.L);
        // decaySum[k]: the log of the decay from the chunk's start to k.
        double sum = 0.0;
        for (int64_t t = c0; t < c1; ++t) {
          step[t - c0] =
              discretize(dt[(row + t) * d.H + h], dtBias, h, dtOptions);
          sum += step[t - c0] * A[h];
          decaySum[t - c0] = sum;
        }
        // The entering state belongs to the sequence of the position before
        // the chunk (or, for the first chunk, of position 0).
        const int64_t before = c0 > 0 ? c0 - 1 : 0;
        for (int64_t t = c0; t < c1; ++t) {
          const bool entering = sameSequence(seqIdx, row, before, t);
          for (int64_t p = 0; p < d.P; ++p) {
            double y = 0.0;
            if (entering) {
              double read = 0.0;
              for (int64_t n = 0; n < d.N; ++n)
                read += Cp(t)[n] * S[p * d.N + n];
              y += std::exp(decaySum[t - c0]) * read;
            }
            for (int64_t s = c0; s <= t; ++s) {
              if (!sameSequence(seqIdx, row, s, t))
                continue;
              double cb = 0.0;
              for (int64_t n = 0; n < d.N; ++n)
                cb += Cp(t)[n] * Bp(s)[n];
              y += cb * std::exp(decaySum[t - c0] - decaySum[s - c0]) *
                   step[s - c0] * xAt(s, p);
            }
            const int64_t xi = ((row + t) * d.H + h) * d.P + p;
            result.y[xi] = finish(y, D, z, h, p, d.P, xi, x[xi]);
          }
        }
        // The state leaving the chunk, at its last position.
        const int64_t last = c1 - 1;
        const double carried = sameSequence(seqIdx, row, before, last)
                                   ? std::exp(decaySum[last - c0])
                                   : 0.0;
        for (int64_t p = 0; p < d.P; ++p)
          for (int64_t n = 0; n < d.N; ++n) {
            double s = carried * S[p * d.N + n];
            for (int64_t u = c0; u <= last; ++u)
              if (sameSequence(seqIdx, row, u, last))
                s += std::exp(decaySum[last - c0] - decaySum[u - c0]) *
                     step[u - c0] * xAt(u, p) * Bp(u)[n];
            next[p * d.N + n] = s;
          }
        std::copy(next.begin(), next.end(), S);
      }
    }
  return result;
}

SsdStepResult ssdStep(const Tensor &state, const Tensor &x, const Tensor &dt,
                      const Tensor &A, const Tensor &B, const Tensor &C,
                      const Tensor *D, const Tensor *z, const Tensor *dtBias,
                      const DtOptions &dtOptions) {
  const std::string op = "ssd_step";
  checkShape(op, "state", state, {"b", "H", "P", "N"});
  const int64_t b = state.dim(0), H = state.dim(1), P = state.dim(2),
                N = state.dim(3);
  checkShape(op, "x", x, {{"b", b}, {"H", H}, {"P", P}});
  checkShape(op, "dt", dt, {{"b", b}, {"H", H}});
  checkShape(op, "A", A, {{"H", H}});
  checkShape(op, "B", B, {{"b", b}, "G", {"N", N}});
  const int64_t G = B.dim(1);
  checkShape(op, "C", C, {{"b", b}, {"G", G}, {"N", N}});
  checkGroups(op, G, H);
  checkD(op, D, H, P);
  checkOptionalShape(op, "z", z, {{"b", b}, {"H", H}, {"P", P}});
  checkOptionalShape(op, "dt_bias", dtBias, {{"H", H}});
  checkDtOptions(op, dtOptions);

  SsdStepResult result{Tensor::zeros(x.shape()), state};
  const int64_t headsPerGroup = H / G;
  std::vector<double> y(P);
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t g = h / headsPerGroup;
      const double step = discretize(dt[bi * H + h], dtBias, h, dtOptions);
      const double decay = std::exp(step * A[h]);
      const int64_t x0 = (bi * H + h) * P;
      advanceHead(result.newState.data() + (bi * H + h) * P * N, P, N, decay,
                  step, x.data() + x0, B.data() + (bi * G + g) * N,
                  C.data() + (bi * G + g) * N, y.data());
      for (int64_t p = 0; p < P; ++p)
        result.y[x0 + p] = finish(y[p], D, z, h, p, P, x0 + p, x[x0 + p]);
    }
  return result;
}

} // namespace mamba::reference
