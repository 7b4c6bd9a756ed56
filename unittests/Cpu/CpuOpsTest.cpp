//===- CpuOpsTest.cpp - Compiled row and decode ops on the CPU ------------===//
//
// mamba-compile --target x86-64,cpu's kernels with one thread per block,
// against the reference library: residual add + RMSNorm (bf16 with an f32
// residual stream, f32 with its own eps), causal conv1d (+ SiLU, the final
// window; lengths shorter than the window), argmax (ties, NaN, all -inf),
// and the decode step's conv window and state update.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Reference/CausalConv1d.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/RmsNorm.h"
#include "mamba/Reference/SelectiveScan.h"
#include "mamba/Runtime/Cpu/Backend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace mamba::runtime::cpu {
namespace {

TEST(CpuOpsTest, MatchesTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  std::string error;
  std::mt19937 rng(5);
  for (int threads : {1, 3}) {
    CpuBackend backend(threads);
    for (int64_t rows : {1, 7}) {
      SCOPED_TRACE(std::to_string(rows) + " rows, " + std::to_string(threads) +
                   " threads");
      // bf16 x, weight; f32 residual in and out.
      HostTensor x = randomTensor(ElementType::BF16, {2, rows, 100}, rng);
      HostTensor w = randomTensor(ElementType::BF16, {100}, rng);
      HostTensor r = randomTensor(ElementType::F32, {2, rows, 100}, rng);
      HostTensor y(ElementType::BF16, {2, rows, 100}),
          ro(ElementType::F32, {2, rows, 100});
      run(backend, file, "norm_bf16_residual", {&x, &w, &r}, {&y, &ro});
      reference::Tensor rr = r.toReference();
      reference::RmsNormResult want =
          reference::rmsNorm(x.toReference(), w.toReference(), &rr, 1e-5);
      EXPECT_LE(gpu_test::relativeL2Error(values(ro), values(want.residualOut)),
                1e-6);
      EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)), 1e-2);

      HostTensor xf = randomTensor(ElementType::F32, {rows, 64}, rng);
      HostTensor wf = randomTensor(ElementType::F32, {64}, rng);
      HostTensor yf(ElementType::F32, {rows, 64});
      run(backend, file, "norm_f32", {&xf, &wf}, {&yf});
      reference::RmsNormResult wantF =
          reference::rmsNorm(xf.toReference(), wf.toReference(), nullptr, 1e-6);
      EXPECT_LE(gpu_test::relativeL2Error(values(yf), values(wantF.y)), 1e-5);
    }
  }
}

TEST(CpuOpsTest, ConvMatchesTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  std::string error;
  std::mt19937 rng(9);
  for (int threads : {1, 2}) {
    CpuBackend backend(threads);
    // 16-step vectors (TilingDefaults.h): L = 29 has no interior vector,
    // 64 ends on a whole one, 100 has a part-filled one after interior ones.
    for (int64_t L : {1, 3, 29, 64, 100}) {
      SCOPED_TRACE("L=" + std::to_string(L) + ", " + std::to_string(threads) +
                   " threads");
      const int64_t b = 2, K = 4;
      HostTensor x = randomTensor(ElementType::BF16, {b, 96, L}, rng);
      HostTensor w = randomTensor(ElementType::BF16, {96, K}, rng);
      HostTensor bias = randomTensor(ElementType::BF16, {96}, rng);
      HostTensor y(ElementType::BF16, {b, 96, L}),
          state(ElementType::BF16, {b, 96, K});
      run(backend, file, "conv_bf16_silu", {&x, &w, &bias}, {&y, &state});
      reference::Tensor rb = bias.toReference();
      reference::Tensor want = reference::causalConv1d(
          x.toReference(), w.toReference(), &rb, reference::Activation::SiLU);
      EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want)), 1e-2);
      // The final window: the last K inputs, zeros before the start.
      for (int64_t i = 0; i < b * 96; ++i)
        for (int64_t k = 0; k < K; ++k) {
          int64_t t = L - K + k;
          double expected = t >= 0 ? x.get(i * L + t) : 0.0;
          ASSERT_EQ(state.get(i * K + k), expected)
              << "row " << i << ", window slot " << k;
        }

      HostTensor xf = randomTensor(ElementType::F32, {b, 64, L}, rng);
      HostTensor wf = randomTensor(ElementType::F32, {64, 3}, rng);
      HostTensor yf(ElementType::F32, {b, 64, L});
      run(backend, file, "conv_f32", {&xf, &wf}, {&yf});
      reference::Tensor wantF =
          reference::causalConv1d(xf.toReference(), wf.toReference());
      EXPECT_LE(gpu_test::relativeL2Error(values(yf), values(wantF)), 1e-6);
    }
  }
}

/// `x` [b, L, d] as [b, d, L] (the reference's conv layout).
reference::Tensor channelsFirst(const HostTensor &x) {
  return reference::swapLastTwoDims(x.toReference());
}

TEST(CpuOpsTest, ChannelsLastConvMatchesTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  std::mt19937 rng(13);
  for (int threads : {1, 2}) {
    CpuBackend backend(threads);
    for (int64_t L : {1, 3, 29}) {
      SCOPED_TRACE("L=" + std::to_string(L) + ", " + std::to_string(threads) +
                   " threads");
      const int64_t b = 2, K = 4, d = 40;
      HostTensor x = randomTensor(ElementType::BF16, {b, L, d}, rng);
      HostTensor w = randomTensor(ElementType::BF16, {d, K}, rng);
      HostTensor bias = randomTensor(ElementType::BF16, {d}, rng);
      HostTensor y(ElementType::BF16, {b, L, d}),
          state(ElementType::BF16, {b, d, K});
      run(backend, file, "conv_channels_last_bf16", {&x, &w, &bias},
          {&y, &state});
      reference::Tensor rb = bias.toReference();
      reference::Tensor want = reference::causalConv1d(
          channelsFirst(x), w.toReference(), &rb, reference::Activation::SiLU);
      EXPECT_LE(
          gpu_test::relativeL2Error(values(channelsFirst(y)), values(want)),
          1e-2);
      for (int64_t i = 0; i < b; ++i)
        for (int64_t c = 0; c < d; ++c)
          for (int64_t k = 0; k < K; ++k) {
            int64_t t = L - K + k;
            double expected = t >= 0 ? x.get((i * L + t) * d + c) : 0.0;
            ASSERT_EQ(state.get((i * d + c) * K + k), expected)
                << "batch " << i << ", channel " << c << ", slot " << k;
          }

      HostTensor xf = randomTensor(ElementType::F32, {b, L, 48}, rng);
      HostTensor wf = randomTensor(ElementType::F32, {48, 3}, rng);
      HostTensor yf(ElementType::F32, {b, L, 48});
      run(backend, file, "conv_channels_last_f32", {&xf, &wf}, {&yf});
      reference::Tensor wantF =
          reference::causalConv1d(channelsFirst(xf), wf.toReference());
      EXPECT_LE(
          gpu_test::relativeL2Error(values(channelsFirst(yf)), values(wantF)),
          1e-6);
    }
  }
}

/// torch.argmax of a row: the first of equal maxima, NaN above every number.
int32_t firstMax(const std::vector<double> &row) {
  int32_t best = 0;
  for (size_t i = 1; i < row.size(); ++i) {
    double b = row[best], v = row[i];
    if (std::isnan(b))
      break;
    if (std::isnan(v) || v > b)
      best = static_cast<int32_t>(i);
  }
  return best;
}

TEST(CpuOpsTest, ArgmaxTakesTheFirstMaximum) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  std::string error;
  std::mt19937 rng(3);
  CpuBackend backend(2);
  // bf16 rows: random, then ties, a NaN, all -inf.
  const int64_t R = 5, V = 1000;
  HostTensor x = randomTensor(ElementType::BF16, {R, V}, rng);
  for (int64_t v = 0; v < V; ++v)
    x.set(1 * V + v, v % 7 == 3 ? 1.5 : -1.0); // ties at 3, 10, ...
  x.set(2 * V + 600, std::nan(""));
  for (int64_t v = 0; v < V; ++v)
    x.set(3 * V + v, -std::numeric_limits<double>::infinity());
  HostTensor ids(ElementType::I32, {R});
  run(backend, file, "argmax_bf16", {&x}, {&ids});
  for (int64_t r = 0; r < R; ++r) {
    std::vector<double> row(V);
    for (int64_t v = 0; v < V; ++v)
      row[v] = x.get(r * V + v);
    EXPECT_EQ(ids.get(r), firstMax(row)) << "row " << r;
  }
  EXPECT_EQ(ids.get(1), 3);
  EXPECT_EQ(ids.get(2), 600);
  EXPECT_EQ(ids.get(3), 0);

  HostTensor xf = randomTensor(ElementType::F32, {2, 3, 37}, rng);
  HostTensor idsF(ElementType::I32, {2, 3});
  run(backend, file, "argmax_f32", {&xf}, {&idsF});
  for (int64_t r = 0; r < 6; ++r) {
    std::vector<double> row(37);
    for (int64_t v = 0; v < 37; ++v)
      row[v] = xf.get(r * 37 + v);
    EXPECT_EQ(idsF.get(r), firstMax(row)) << "row " << r;
  }
}

TEST(CpuOpsTest, DecodeStepsMatchTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  std::string error;
  std::mt19937 rng(4);
  CpuBackend backend(2);
  for (int64_t b : {1, 3}) {
    SCOPED_TRACE("batch " + std::to_string(b));
    HostTensor s = randomTensor(ElementType::BF16, {b, 96, 4}, rng);
    HostTensor x = randomTensor(ElementType::BF16, {b, 96}, rng);
    HostTensor w = randomTensor(ElementType::BF16, {96, 4}, rng);
    HostTensor bias = randomTensor(ElementType::BF16, {96}, rng);
    HostTensor y(ElementType::BF16, {b, 96}), n(ElementType::BF16, {b, 96, 4});
    run(backend, file, "conv_step_bf16", {&s, &x, &w, &bias}, {&y, &n});
    reference::Tensor rb = bias.toReference();
    reference::ConvStateUpdateResult want = reference::convStateUpdate(
        s.toReference(), x.toReference(), w.toReference(), &rb,
        reference::Activation::SiLU);
    EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)), 1e-2);
    EXPECT_EQ(values(n), values(want.newConvState)); // moved, not computed

    const ElementType f32 = ElementType::F32;
    HostTensor h = randomTensor(f32, {b, 200, 16}, rng);
    HostTensor u = randomTensor(f32, {b, 200}, rng);
    HostTensor dt = randomTensor(f32, {b, 200}, rng);
    HostTensor A = randomTensor(f32, {200, 16}, rng);
    for (int64_t i = 0; i < A.numel(); ++i)
      A.set(i, -std::abs(A.get(i)) - 0.1);
    HostTensor B = randomTensor(f32, {b, 1, 16}, rng);
    HostTensor C = randomTensor(f32, {b, 1, 16}, rng);
    HostTensor D = randomTensor(f32, {200}, rng);
    HostTensor z = randomTensor(f32, {b, 200}, rng);
    HostTensor dtBias = randomTensor(f32, {200}, rng);
    HostTensor ys(f32, {b, 200}), hs(f32, {b, 200, 16});
    run(backend, file, "state_step_f32",
        {&h, &u, &dt, &A, &B, &C, &D, &z, &dtBias}, {&ys, &hs});
    reference::Tensor rD = D.toReference(), rz = z.toReference(),
                      rBias = dtBias.toReference();
    reference::SelectiveStateUpdateResult wantS =
        reference::selectiveStateUpdate(
            h.toReference(), u.toReference(), dt.toReference(), A.toReference(),
            B.toReference(), C.toReference(), &rD, &rz, &rBias, true);
    EXPECT_LE(gpu_test::relativeL2Error(values(ys), values(wantS.y)), 1e-5);
    EXPECT_LE(gpu_test::relativeL2Error(values(hs), values(wantS.newState)),
              1e-5);
  }
}

/// compiled/ops.mlir's fused decode steps against the unfused reference:
/// the conv update and SiLU, x_proj, dt_proj, and the state update with
/// the D skip and the SiLU(z) gate.
void checkSelectiveStep(const ModuleFile &file, const std::string &function,
                        ElementType act, int64_t E, int64_t N, int64_t R,
                        int64_t K, bool convBias, double limit) {
  std::mt19937 rng(9);
  const ElementType f32 = ElementType::F32;
  for (int threads : {1, 2})
    for (int64_t b : {1, 3}) {
      SCOPED_TRACE(function + " batch " + std::to_string(b) + ", " +
                   std::to_string(threads) + " threads");
      CpuBackend backend(threads);
      HostTensor xz = randomTensor(act, {b, 2 * E}, rng);
      HostTensor cs = randomTensor(act, {b, E, K}, rng);
      HostTensor ss = randomTensor(f32, {b, E, N}, rng);
      HostTensor wc = randomTensor(act, {E, K}, rng, -0.5, 0.5);
      HostTensor bc = randomTensor(act, {E}, rng, -0.5, 0.5);
      // x_proj and dt_proj scaled as trained ones are, so that dt lands in
      // softplus's usual range and B, C stay O(1).
      const double sx = 1.7 / std::sqrt(double(E)), sd = 1.7 / std::sqrt(R);
      HostTensor wx = randomTensor(act, {R + 2 * N, E}, rng, -sx, sx);
      HostTensor wdt = randomTensor(act, {E, R}, rng, -sd, sd);
      HostTensor bdt = randomTensor(f32, {E}, rng, -6.9, -2.25);
      HostTensor A = randomTensor(f32, {E, N}, rng, -4, -0.1);
      HostTensor D = randomTensor(f32, {E}, rng, 0.5, 1.5);
      std::vector<HostTensor *> args = {&xz, &cs, &ss, &wc};
      if (convBias)
        args.push_back(&bc);
      args.insert(args.end(), {&wx, &wdt, &bdt, &A, &D});
      HostTensor y(act, {b, E}), newConv(act, {b, E, K}),
          newSsm(f32, {b, E, N});
      run(backend, file, function, args, {&y, &newConv, &newSsm});

      reference::Tensor rxz = xz.toReference(), rbc = bc.toReference(),
                        rD = D.toReference(), rbdt = bdt.toReference();
      reference::ConvStateUpdateResult conv = reference::convStateUpdate(
          cs.toReference(), reference::sliceLastDim(rxz, 0, E),
          wc.toReference(), convBias ? &rbc : nullptr,
          reference::Activation::SiLU);
      reference::Tensor proj = reference::linear(conv.y, wx.toReference());
      reference::Tensor dt = reference::linear(
          reference::sliceLastDim(proj, 0, R), wdt.toReference());
      reference::Tensor B =
          reference::sliceLastDim(proj, R, R + N).reshaped({b, 1, N});
      reference::Tensor C =
          reference::sliceLastDim(proj, R + N, R + 2 * N).reshaped({b, 1, N});
      reference::Tensor z = reference::sliceLastDim(rxz, E, 2 * E);
      reference::SelectiveStateUpdateResult want =
          reference::selectiveStateUpdate(ss.toReference(), conv.y, dt,
                                          A.toReference(), B, C, &rD, &z, &rbdt,
                                          true);
      EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)), limit);
      EXPECT_EQ(values(newConv), values(conv.newConvState)); // moved
      EXPECT_LE(
          gpu_test::relativeL2Error(values(newSsm), values(want.newState)),
          limit);
    }
}

TEST(CpuOpsTest, SelectiveStepMatchesTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ops.mmod", file);
  // bf16: the rounding of each intermediate the unfused ops store
  // (conv output, x_proj, dt_proj), as on the GPU.
  checkSelectiveStep(file, "selective_step_bf16", ElementType::BF16, 200, 16,
                     12, 4, true, 1e-2);
  checkSelectiveStep(file, "selective_step_f32_n32", ElementType::F32, 384, 32,
                     8, 3, false, 1e-5);
}

} // namespace
} // namespace mamba::runtime::cpu
