//===- SsdScanTest.cpp - The Mamba-2 SSD reference against itself ---------===//
//
// The golden cases (GoldenOpsTest) pin the per-step SSD to an independent
// implementation. These check the properties the kernels will be held to:
// the chunked algorithm equals the recurrence for every chunk size, packed
// sequences (seq_idx) equal separate ones, a scan continued from its final
// state equals the whole, decode steps equal the scan, and bad operands are
// errors naming the operand.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <limits>

namespace mamba::reference {
namespace {

using testing::allClose;
using testing::randomTensor;
using testing::throwsInvalidArgument;

/// A random SSD problem; dt before softplus, A negative.
struct Ssd {
  Tensor x, dt, A, B, C, D, z, dtBias, h0;
  Ssd(int64_t b, int64_t L, int64_t H, int64_t P, int64_t G, int64_t N,
      uint32_t seed, bool dPerChannel = false) {
    std::mt19937 rng(seed);
    x = randomTensor({b, L, H, P}, rng);
    dt = randomTensor({b, L, H}, rng, -3.0, 0.5);
    A = randomTensor({H}, rng, -2.0, -0.2);
    B = randomTensor({b, L, G, N}, rng);
    C = randomTensor({b, L, G, N}, rng);
    D = dPerChannel ? randomTensor({H, P}, rng) : randomTensor({H}, rng);
    z = randomTensor({b, L, H, P}, rng);
    dtBias = randomTensor({H}, rng, -1.0, 0.5);
    h0 = randomTensor({b, H, P, N}, rng);
  }
};

DtOptions softplusOn() {
  DtOptions o;
  o.softplus = true;
  return o;
}

/// Positions [begin, end) of dimension 1 of `t` ([b, L, ...]).
Tensor positions(const Tensor &t, int64_t begin, int64_t end) {
  Shape shape = t.shape();
  int64_t inner = t.numel() / (shape[0] * shape[1]);
  shape[1] = end - begin;
  Tensor out = Tensor::zeros(shape);
  for (int64_t bi = 0; bi < shape[0]; ++bi)
    for (int64_t l = begin; l < end; ++l)
      for (int64_t i = 0; i < inner; ++i)
        out[(bi * (end - begin) + l - begin) * inner + i] =
            t[(bi * t.dim(1) + l) * inner + i];
  return out;
}

TEST(SsdScan, ChunkedEqualsRecurrenceForEveryChunkSize) {
  Ssd s(2, 23, 4, 3, 2, 5, 11, /*dPerChannel=*/true);
  Tensor seq({2, 23}, std::vector<double>(46, 0.0));
  for (int64_t t = 0; t < 23; ++t) {
    seq[t] = t < 9 ? 0 : t < 10 ? 1 : 2; // a one-token sequence inside
    seq[23 + t] = t < 16 ? 4 : 7;
  }
  const Tensor *packed = &seq;
  for (const Tensor *seqIdx : {static_cast<const Tensor *>(nullptr), packed}) {
    SsdScanResult want = ssdScan(s.x, s.dt, s.A, s.B, s.C, &s.D, &s.z,
                                 &s.dtBias, &s.h0, seqIdx, softplusOn());
    for (int64_t chunk : {1, 2, 5, 8, 22, 23, 64}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) +
                   (seqIdx ? " with seq_idx" : ""));
      SsdScanResult got =
          ssdScanChunked(s.x, s.dt, s.A, s.B, s.C, chunk, &s.D, &s.z, &s.dtBias,
                         &s.h0, seqIdx, softplusOn());
      EXPECT_TRUE(allClose(got.y, want.y, 1e-12, 1e-13));
      EXPECT_TRUE(allClose(got.finalStates, want.finalStates, 1e-12, 1e-13));
    }
  }
}

TEST(SsdScan, PackedSequencesEqualSeparateOnes) {
  // One row holding sequences of 7 and 10 positions, against each alone.
  Ssd s(1, 17, 2, 4, 1, 6, 12);
  Tensor seq({1, 17}, std::vector<double>(17, 3.0));
  for (int64_t t = 7; t < 17; ++t)
    seq[t] = 5.0;
  for (int64_t chunk : {0, 4, 8}) { // 0: the per-step recurrence
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto scan = [&](const Tensor &x, const Tensor &dt, const Tensor &B,
                    const Tensor &C, const Tensor &z, const Tensor *seqIdx) {
      return chunk ? ssdScanChunked(x, dt, s.A, B, C, chunk, &s.D, &z,
                                    &s.dtBias, nullptr, seqIdx, softplusOn())
                   : ssdScan(x, dt, s.A, B, C, &s.D, &z, &s.dtBias, nullptr,
                             seqIdx, softplusOn());
    };
    SsdScanResult packed = scan(s.x, s.dt, s.B, s.C, s.z, &seq);
    for (auto [begin, end] : {std::pair<int64_t, int64_t>{0, 7}, {7, 17}}) {
      SsdScanResult alone =
          scan(positions(s.x, begin, end), positions(s.dt, begin, end),
               positions(s.B, begin, end), positions(s.C, begin, end),
               positions(s.z, begin, end), nullptr);
      EXPECT_TRUE(
          allClose(positions(packed.y, begin, end), alone.y, 1e-12, 1e-14));
      if (end == 17) {
        EXPECT_TRUE(
            allClose(packed.finalStates, alone.finalStates, 1e-12, 1e-14));
      }
    }
  }
}

TEST(SsdScan, ContinuingFromTheFinalStateEqualsTheWhole) {
  Ssd s(2, 20, 3, 2, 3, 4, 13);
  SsdScanResult whole = ssdScan(s.x, s.dt, s.A, s.B, s.C, &s.D, &s.z, &s.dtBias,
                                &s.h0, nullptr, softplusOn());
  Tensor zFirst = positions(s.z, 0, 13);
  SsdScanResult first =
      ssdScanChunked(positions(s.x, 0, 13), positions(s.dt, 0, 13), s.A,
                     positions(s.B, 0, 13), positions(s.C, 0, 13), 4, &s.D,
                     &zFirst, &s.dtBias, &s.h0, nullptr, softplusOn());
  Tensor zRest = positions(s.z, 13, 20);
  SsdScanResult rest = ssdScanChunked(
      positions(s.x, 13, 20), positions(s.dt, 13, 20), s.A,
      positions(s.B, 13, 20), positions(s.C, 13, 20), 4, &s.D, &zRest,
      &s.dtBias, &first.finalStates, nullptr, softplusOn());
  EXPECT_TRUE(allClose(rest.y, positions(whole.y, 13, 20), 1e-12, 1e-14));
  EXPECT_TRUE(allClose(rest.finalStates, whole.finalStates, 1e-12, 1e-14));
}

TEST(SsdScan, DecodeStepsEqualTheScan) {
  Ssd s(2, 9, 4, 3, 2, 5, 14);
  DtOptions limited = softplusOn();
  limited.low = 0.05;
  limited.high = 0.4;
  SsdScanResult scan = ssdScan(s.x, s.dt, s.A, s.B, s.C, &s.D, &s.z, &s.dtBias,
                               &s.h0, nullptr, limited);
  Tensor state = s.h0;
  for (int64_t t = 0; t < 9; ++t) {
    auto at = [&](const Tensor &v) {
      Tensor p = positions(v, t, t + 1);
      Shape shape = p.shape();
      shape.erase(shape.begin() + 1);
      return p.reshaped(shape);
    };
    Tensor z = at(s.z);
    SsdStepResult step = ssdStep(state, at(s.x), at(s.dt), s.A, at(s.B),
                                 at(s.C), &s.D, &z, &s.dtBias, limited);
    Tensor want = positions(scan.y, t, t + 1);
    EXPECT_TRUE(allClose(step.y.reshaped(want.shape()), want, 1e-13, 1e-15))
        << "position " << t;
    state = step.newState;
  }
  EXPECT_TRUE(allClose(state, scan.finalStates, 1e-13, 1e-15));
}

TEST(SsdScan, TheDefaultLimitDoesNotClampANegativeDt) {
  // Without softplus dt may be negative; mamba_ssm clamps only when a limit
  // other than (0, inf) is given. One head, one channel, N = 1, B = C = 1:
  // S_1 = dt x, y_1 = dt x.
  Tensor x({1, 1, 1, 1}, {2.0}), dt({1, 1, 1}, {-0.5}), A({1}, {-1.0});
  Tensor B({1, 1, 1, 1}, {1.0}), C({1, 1, 1, 1}, {1.0});
  EXPECT_DOUBLE_EQ(ssdScan(x, dt, A, B, C).y[0], -1.0);
  DtOptions limited;
  limited.low = 0.1;
  limited.high = 1.0;
  EXPECT_DOUBLE_EQ(ssdScan(x, dt, A, B, C, nullptr, nullptr, nullptr, nullptr,
                           nullptr, limited)
                       .y[0],
                   0.2);
}

TEST(SsdScan, BadOperandsAreErrorsNamingThem) {
  Ssd s(1, 6, 4, 2, 2, 3, 15);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { ssdScan(s.x, s.dt, s.A, s.B, positions(s.C, 0, 5)); },
      {"ssd_scan", "C has shape [1,5,2,3]", "L=6"}));
  Ssd three(1, 6, 4, 2, 3, 3, 15);
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { ssdScan(three.x, three.dt, three.A, three.B, three.C); },
      {"G=3 groups, which does not divide the H=4 heads"}));
  Tensor badD = Tensor::zeros({4, 3});
  EXPECT_TRUE(
      throwsInvalidArgument([&] { ssdScan(s.x, s.dt, s.A, s.B, s.C, &badD); },
                            {"D has shape [4,3]", "P=2"}));
  Tensor seq({1, 6}, {0, 0, 1, 1, 0, 2});
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        ssdScan(s.x, s.dt, s.A, s.B, s.C, nullptr, nullptr, nullptr, nullptr,
                &seq);
      },
      {"seq_idx decreases at row 0, position 4"}));
  DtOptions inverted;
  inverted.low = 1.0;
  inverted.high = 0.5;
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        ssdScan(s.x, s.dt, s.A, s.B, s.C, nullptr, nullptr, nullptr, nullptr,
                nullptr, inverted);
      },
      {"dt_limit", "expected low <= high"}));
  EXPECT_TRUE(throwsInvalidArgument(
      [&] { ssdScanChunked(s.x, s.dt, s.A, s.B, s.C, 0); },
      {"ssd_scan_chunked", "chunk_size is 0"}));
  Tensor state = Tensor::zeros({1, 4, 2, 3});
  Tensor x1 = Tensor::zeros({1, 4, 3});
  EXPECT_TRUE(throwsInvalidArgument(
      [&] {
        ssdStep(state, x1, Tensor::zeros({1, 4}), s.A, Tensor::zeros({1, 2, 3}),
                Tensor::zeros({1, 2, 3}));
      },
      {"ssd_step", "x has shape [1,4,3]", "P=2"}));
}

TEST(GatedRmsNorm, OneGroupWithoutZIsRmsNorm) {
  std::mt19937 rng(16);
  Tensor x = randomTensor({3, 12}, rng), w = randomTensor({12}, rng);
  EXPECT_TRUE(allClose(gatedRmsNorm(x, nullptr, w, 12, 1e-6),
                       rmsNorm(x, w, nullptr, 1e-6).y, 1e-14, 1e-15));
}

TEST(GatedRmsNorm, GroupsNormalizeApart) {
  // Scaling one group's inputs leaves every output unchanged (up to eps):
  // each group has its own scale.
  std::mt19937 rng(17);
  Tensor x = randomTensor({2, 8}, rng), z = randomTensor({2, 8}, rng),
         w = randomTensor({8}, rng);
  Tensor scaled = x;
  for (int64_t i = 0; i < 4; ++i)
    scaled[i] *= 10.0;
  EXPECT_TRUE(allClose(gatedRmsNorm(scaled, &z, w, 4, 0.0),
                       gatedRmsNorm(x, &z, w, 4, 0.0), 1e-13, 1e-15));
  EXPECT_FALSE(allClose(gatedRmsNorm(scaled, &z, w, 8, 0.0),
                        gatedRmsNorm(x, &z, w, 8, 0.0), 1e-6, 1e-8));
  EXPECT_TRUE(throwsInvalidArgument([&] { gatedRmsNorm(x, &z, w, 3); },
                                    {"rms_norm_gated", "group_size is 3"}));
  Tensor z3 = Tensor::zeros({3, 8});
  EXPECT_TRUE(throwsInvalidArgument([&] { gatedRmsNorm(x, &z3, w, 4); },
                                    {"z has shape [3,8]"}));
}

} // namespace
} // namespace mamba::reference
