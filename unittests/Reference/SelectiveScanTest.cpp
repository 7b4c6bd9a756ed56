//===- SelectiveScanTest.cpp - Hand cases and identities of the scan ------===//

#include "TestSupport.h"

#include <cmath>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::randomTensor;
using testing::throwsInvalidArgument;

constexpr double kTol = 1e-13;

/// Random scan operands with every option present.
struct ScanOperands {
  ScanOperands(int64_t b, int64_t d, int64_t N, int64_t G, int64_t L,
               unsigned seed) {
    std::mt19937 rng(seed);
    u = randomTensor({b, d, L}, rng);
    delta = randomTensor({b, d, L}, rng, -2.0, 1.0);
    A = randomTensor({d, N}, rng, -2.0, -0.1);
    B = randomTensor({b, G, N, L}, rng);
    C = randomTensor({b, G, N, L}, rng);
    D = randomTensor({d}, rng);
    z = randomTensor({b, d, L}, rng);
    deltaBias = randomTensor({d}, rng, -1.0, 0.5);
    h0 = randomTensor({b, d, N}, rng);
  }
  Tensor u, delta, A, B, C, D, z, deltaBias, h0;
};

/// Column t of a [..., L] tensor as [...].
Tensor timeStep(const Tensor &t, int64_t step) {
  return sliceLastDim(t, step, step + 1)
      .reshaped(Shape(t.shape().begin(), t.shape().end() - 1));
}

// The recurrence written out for N=1, L=3, so that the loop structure of
// the implementation is checked against arithmetic done independently.
TEST(SelectiveScan, HandComputedN1L3) {
  Tensor u({1, 1, 3}, {1.0, 2.0, -1.0});
  Tensor delta({1, 1, 3}, {0.5, 0.2, 1.0});
  Tensor A({1, 1}, {-1.0});
  Tensor B({1, 1, 1, 3}, {1.0, 0.5, 2.0});
  Tensor C({1, 1, 1, 3}, {2.0, 1.0, -1.0});
  Tensor D({1}, {0.5});

  double h1 = 0.5 * 1.0 * 1.0;
  double h2 = std::exp(-0.2) * h1 + 0.2 * 0.5 * 2.0;
  double h3 = std::exp(-1.0) * h2 + 1.0 * 2.0 * -1.0;
  Tensor expectedY({1, 1, 3}, {2.0 * h1 + 0.5 * 1.0, 1.0 * h2 + 0.5 * 2.0,
                               -1.0 * h3 + 0.5 * -1.0});

  auto r = selectiveScan(u, delta, A, B, C, &D);
  EXPECT_TRUE(allClose(r.y, expectedY, kTol));
  EXPECT_TRUE(allClose(r.finalState, Tensor({1, 1, 1}, {h3}), kTol));
}

// One step with softplus, delta bias, z gating and an initial state.
TEST(SelectiveScan, HandComputedGatedStep) {
  Tensor u({1, 1, 1}, {0.7});
  Tensor delta({1, 1, 1}, {-0.3});
  Tensor A({1, 2}, {-0.5, -2.0});
  Tensor B({1, 1, 2, 1}, {1.5, -1.0});
  Tensor C({1, 1, 2, 1}, {0.25, 2.0});
  Tensor D({1}, {-0.4});
  Tensor z({1, 1, 1}, {1.2});
  Tensor bias({1}, {0.1});
  Tensor h0({1, 1, 2}, {0.3, -0.6});

  double dt = std::log(1.0 + std::exp(-0.3 + 0.1));
  double ha = std::exp(dt * -0.5) * 0.3 + dt * 1.5 * 0.7;
  double hb = std::exp(dt * -2.0) * -0.6 + dt * -1.0 * 0.7;
  double gate = 1.2 / (1.0 + std::exp(-1.2));
  double y = (0.25 * ha + 2.0 * hb + -0.4 * 0.7) * gate;

  auto r = selectiveScan(u, delta, A, B, C, &D, &z, &bias, &h0, true);
  EXPECT_TRUE(allClose(r.y, Tensor({1, 1, 1}, {y}), kTol));
  EXPECT_TRUE(allClose(r.finalState, Tensor({1, 1, 2}, {ha, hb}), kTol));
}

// Same threshold as torch's softplus: above 20 the input passes through.
TEST(SelectiveScan, SoftplusThreshold) {
  EXPECT_EQ(softplus(25.0), 25.0);
  EXPECT_DOUBLE_EQ(softplus(0.0), std::log(2.0));
  EXPECT_EQ(softplus(-800.0), 0.0);
  EXPECT_NEAR(softplus(20.0), 20.0, 3e-9);
}

// With dt = 0 the state is frozen: exp(0) = 1 and dt * B * u = 0.
TEST(SelectiveScan, ZeroDeltaKeepsState) {
  ScanOperands s(2, 3, 4, 1, 5, 1);
  Tensor zeroDelta = Tensor::zeros(s.delta.shape());
  auto r = selectiveScan(s.u, zeroDelta, s.A, s.B, s.C, &s.D, nullptr, nullptr,
                         &s.h0, /*deltaSoftplus=*/false);
  EXPECT_TRUE(allClose(r.finalState, s.h0, 0.0));

  Tensor expectedY = Tensor::zeros(s.u.shape());
  int64_t b = 2, d = 3, N = 4, L = 5;
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t c = 0; c < d; ++c)
      for (int64_t t = 0; t < L; ++t) {
        double y = s.D[c] * s.u[(bi * d + c) * L + t];
        for (int64_t n = 0; n < N; ++n)
          y += s.C[(bi * N + n) * L + t] * s.h0[(bi * d + c) * N + n];
        expectedY[(bi * d + c) * L + t] = y;
      }
  EXPECT_TRUE(allClose(r.y, expectedY, kTol, kTol));
}

// Without the z gate and from a zero state, y and the final state are linear
// in u for fixed delta, A, B, C (D * u is linear too).
TEST(SelectiveScan, LinearInU) {
  ScanOperands s(2, 4, 3, 2, 7, 2);
  std::mt19937 rng(3);
  Tensor u2 = randomTensor(s.u.shape(), rng);
  double a = 0.75, c = -1.5;
  Tensor mixed = Tensor::zeros(s.u.shape());
  for (int64_t i = 0; i < mixed.numel(); ++i)
    mixed[i] = a * s.u[i] + c * u2[i];

  auto scan = [&](const Tensor &u) {
    return selectiveScan(u, s.delta, s.A, s.B, s.C, &s.D, nullptr, &s.deltaBias,
                         nullptr, true);
  };
  auto r1 = scan(s.u), r2 = scan(u2), rMixed = scan(mixed);
  Tensor y = Tensor::zeros(s.u.shape());
  Tensor h = Tensor::zeros(r1.finalState.shape());
  for (int64_t i = 0; i < y.numel(); ++i)
    y[i] = a * r1.y[i] + c * r2.y[i];
  for (int64_t i = 0; i < h.numel(); ++i)
    h[i] = a * r1.finalState[i] + c * r2.finalState[i];
  EXPECT_TRUE(allClose(rMixed.y, y, 1e-12, 1e-14));
  EXPECT_TRUE(allClose(rMixed.finalState, h, 1e-12, 1e-14));
}

/// Expands B or C [b, G, N, L] to one group per channel, [b, d, N, L], using
/// the documented mapping: channel c reads group c / (d / G).
Tensor expandGroups(const Tensor &bc, int64_t d) {
  int64_t b = bc.dim(0), G = bc.dim(1), N = bc.dim(2), L = bc.dim(3);
  Tensor out = Tensor::zeros({b, d, N, L});
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t c = 0; c < d; ++c)
      for (int64_t i = 0; i < N * L; ++i)
        out[(bi * d + c) * N * L + i] = bc[(bi * G + c / (d / G)) * N * L + i];
  return out;
}

// Shared groups must be equivalent to giving each channel its own copy;
// G = 2 with d = 4 also pins the c / (d / G) mapping (c % G would differ).
TEST(SelectiveScan, GroupsEqualPerChannelCopies) {
  for (int64_t G : {1, 2}) {
    SCOPED_TRACE("G=" + std::to_string(G));
    ScanOperands s(2, 4, 3, G, 6, 4);
    auto grouped = selectiveScan(s.u, s.delta, s.A, s.B, s.C, &s.D, &s.z,
                                 &s.deltaBias, &s.h0, true);
    Tensor B = expandGroups(s.B, 4), C = expandGroups(s.C, 4);
    auto perChannel = selectiveScan(s.u, s.delta, s.A, B, C, &s.D, &s.z,
                                    &s.deltaBias, &s.h0, true);
    EXPECT_TRUE(allClose(grouped.y, perChannel.y, 0.0));
    EXPECT_TRUE(allClose(grouped.finalState, perChannel.finalState, 0.0));
  }
}

// With G = d, channel c must see only group c: scanning the channel alone
// (d = 1, G = 1) gives the same numbers.
TEST(SelectiveScan, GroupPerChannelEqualsSeparateScans) {
  int64_t d = 3, N = 2, L = 5;
  ScanOperands s(1, d, N, d, L, 5);
  auto all = selectiveScan(s.u, s.delta, s.A, s.B, s.C, &s.D, &s.z,
                           &s.deltaBias, &s.h0, true);
  for (int64_t c = 0; c < d; ++c) {
    SCOPED_TRACE("channel " + std::to_string(c));
    auto slice = [&](const Tensor &t, int64_t inner, Shape shape) {
      return Tensor(shape, std::vector<double>(t.data() + c * inner,
                                               t.data() + (c + 1) * inner));
    };
    Tensor u = slice(s.u, L, {1, 1, L}), delta = slice(s.delta, L, {1, 1, L});
    Tensor z = slice(s.z, L, {1, 1, L}), A = slice(s.A, N, {1, N});
    Tensor B = slice(s.B, N * L, {1, 1, N, L});
    Tensor C = slice(s.C, N * L, {1, 1, N, L});
    Tensor D = slice(s.D, 1, {1}), bias = slice(s.deltaBias, 1, {1});
    Tensor h0 = slice(s.h0, N, {1, 1, N});
    auto one = selectiveScan(u, delta, A, B, C, &D, &z, &bias, &h0, true);
    EXPECT_TRUE(allClose(one.y, slice(all.y, L, {1, 1, L}), 0.0));
    EXPECT_TRUE(
        allClose(one.finalState, slice(all.finalState, N, {1, 1, N}), 0.0));
  }
}

// Decoding token by token must reproduce the scan, outputs and final state.
TEST(SelectiveScan, StateUpdateStepsEqualScan) {
  int64_t b = 2, d = 4, N = 5, G = 2, L = 9;
  ScanOperands s(b, d, N, G, L, 6);
  auto scan = selectiveScan(s.u, s.delta, s.A, s.B, s.C, &s.D, &s.z,
                            &s.deltaBias, &s.h0, true);
  Tensor state = s.h0;
  for (int64_t t = 0; t < L; ++t) {
    SCOPED_TRACE("t=" + std::to_string(t));
    Tensor z = timeStep(s.z, t);
    auto step = selectiveStateUpdate(
        state, timeStep(s.u, t), timeStep(s.delta, t), s.A, timeStep(s.B, t),
        timeStep(s.C, t), &s.D, &z, &s.deltaBias, true);
    EXPECT_TRUE(allClose(step.y, timeStep(scan.y, t), kTol, kTol));
    state = step.newState;
  }
  EXPECT_TRUE(allClose(state, scan.finalState, kTol, kTol));
}

// Splitting the sequence and carrying the state is what a chunked GPU scan
// does; the result must not depend on where the split falls.
TEST(SelectiveScan, InitialStateContinuesScan) {
  int64_t L = 8, split = 3;
  ScanOperands s(2, 2, 3, 1, L, 7);
  auto whole = selectiveScan(s.u, s.delta, s.A, s.B, s.C, &s.D, &s.z,
                             &s.deltaBias, &s.h0, true);
  auto part = [&](const Tensor &t, int64_t begin, int64_t end) {
    return sliceLastDim(t, begin, end);
  };
  auto run = [&](int64_t begin, int64_t end, const Tensor &h) {
    Tensor z = part(s.z, begin, end);
    return selectiveScan(part(s.u, begin, end), part(s.delta, begin, end), s.A,
                         part(s.B, begin, end), part(s.C, begin, end), &s.D, &z,
                         &s.deltaBias, &h, true);
  };
  auto first = run(0, split, s.h0);
  auto second = run(split, L, first.finalState);
  EXPECT_TRUE(allClose(first.y, part(whole.y, 0, split), kTol, kTol));
  EXPECT_TRUE(allClose(second.y, part(whole.y, split, L), kTol, kTol));
  EXPECT_TRUE(allClose(second.finalState, whole.finalState, kTol, kTol));
}

// L = 0 is legal: no outputs, and the state passes through.
TEST(SelectiveScan, EmptySequencePassesStateThrough) {
  ScanOperands s(1, 2, 3, 1, 0, 8);
  auto r = selectiveScan(s.u, s.delta, s.A, s.B, s.C, &s.D, &s.z, &s.deltaBias,
                         &s.h0, true);
  EXPECT_EQ(r.y.shape(), (Shape{1, 2, 0}));
  EXPECT_TRUE(allClose(r.finalState, s.h0, 0.0));
}

TEST(SelectiveScan, RejectsBadShapes) {
  ScanOperands s(2, 4, 3, 1, 37, 9);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        selectiveScan(s.u.reshaped({8, 37}), s.delta, s.A, s.B, s.C);
      },
      {"selective_scan", "u has shape [8,37]", "expected [b, d, L]"}));
  Tensor shortB = sliceLastDim(s.B, 0, 36);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { selectiveScan(s.u, s.delta, s.A, shortB, s.C); },
      {"selective_scan: B has shape [2,1,3,36], expected [b=2, G, N=3, "
       "L=37]"}));
  std::mt19937 rng(10);
  Tensor B3 = randomTensor({2, 3, 3, 37}, rng);
  EXPECT_TRUE(
      throwsInvalidArgument([&] { selectiveScan(s.u, s.delta, s.A, B3, B3); },
                            {"G=3", "does not divide d=4"}));
  Tensor C2 = randomTensor({2, 2, 3, 37}, rng);
  EXPECT_TRUE(
      throwsInvalidArgument([&] { selectiveScan(s.u, s.delta, s.A, s.B, C2); },
                            {"C has shape [2,2,3,37]", "G=1"}));
  Tensor badD({3}, {1, 2, 3});
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { selectiveScan(s.u, s.delta, s.A, s.B, s.C, &badD); },
      {"D has shape [3]", "expected [d=4]"}));
  Tensor badH0 = Tensor::zeros({2, 4, 2});
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        selectiveScan(s.u, s.delta, s.A, s.B, s.C, nullptr, nullptr, nullptr,
                      &badH0);
      },
      {"initial_state has shape [2,4,2]", "expected [b=2, d=4, N=3]"}));
}

TEST(SelectiveStateUpdate, RejectsBadShapes) {
  std::mt19937 rng(11);
  Tensor state = randomTensor({2, 4, 3}, rng), x = randomTensor({2, 4}, rng);
  Tensor A = randomTensor({4, 3}, rng), B = randomTensor({2, 1, 3}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { selectiveStateUpdate(state, x.reshaped({8}), x, A, B, B); },
      {"selective_state_update", "x has shape [8]", "expected [b=2, d=4]"}));
  Tensor B3 = randomTensor({2, 3, 3}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { selectiveStateUpdate(state, x, x, A, B3, B3); },
      {"does not divide d=4"}));
  Tensor B5 = randomTensor({2, 1, 5}, rng);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { selectiveStateUpdate(state, x, x, A, B5, B5); },
      {"B has shape [2,1,5]", "N=3"}));
}

} // namespace
} // namespace mamba::reference
