//===- CpuScanTest.cpp - The compiled selective scan on the CPU -----------===//
//
// mamba-compile --target x86-64,cpu's scan (channels as vector lanes, see
// TileSelectiveScanCpu.cpp) against the reference library on random
// inputs: N from 1 to 256, groups, every optional operand, initial and
// final states, f32 and bf16, lengths that are not a multiple of the
// chunk, L = 1, one and two threads.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Reference/SelectiveScan.h"
#include "mamba/Runtime/Cpu/Backend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

namespace mamba::runtime::cpu {
namespace {

TEST(CpuScanTest, MatchesTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("scan.mmod", file);
  struct Case {
    const char *function;
    ElementType element;
    int64_t d, N, G;
    bool D, z, bias, softplus, state; ///< state: initial in, final out
  };
  // The functions of compiled/scan.mlir. d is never a multiple of the
  // block's 8 lanes except where groups need it; d / G = 18 narrows the
  // block to 2 lanes.
  const ElementType f32 = ElementType::F32, bf16 = ElementType::BF16;
  const Case cases[] = {
      {"scan_f32_all_n16", f32, 20, 16, 1, true, true, true, true, true},
      {"scan_f32_bare_n1", f32, 20, 1, 1, false, false, false, false, false},
      {"scan_f32_d_n4_groups", f32, 36, 4, 2, true, false, false, false, false},
      {"scan_f32_z_n64", f32, 12, 64, 1, false, true, false, true, true},
      {"scan_f32_all_n256", f32, 9, 256, 1, true, true, true, true, false},
      {"scan_bf16_z_n4_groups", bf16, 32, 4, 2, false, true, false, false,
       false},
      {"scan_bf16_all_n16", bf16, 20, 16, 1, true, true, true, true, true},
      {"scan_bf16_n64_groups", bf16, 48, 64, 2, true, false, true, true, false},
      {"scan_bf16_all_n1", bf16, 20, 1, 1, true, true, true, true, false},
      {"scan_bf16_z_n256", bf16, 10, 256, 1, false, true, false, false, true},
  };
  std::mt19937 rng(11);
  for (int threads : {1, 2})
    for (const Case &c : cases)
      for (int64_t b : {1, 3})
        // One step; one whole 32-step chunk and a part; whole chunks only;
        // several chunks and a part.
        for (int64_t L : {1, 37, 64, 100}) {
          SCOPED_TRACE(std::string(c.function) + " b=" + std::to_string(b) +
                       " L=" + std::to_string(L) + ", " +
                       std::to_string(threads) + " threads");
          CpuBackend backend(threads);
          const ElementType e = c.element;
          HostTensor u = randomTensor(e, {b, c.d, L}, rng, -1, 1);
          // delta around softplus's knee, or small positive steps.
          HostTensor delta =
              randomTensor(e, {b, c.d, L}, rng, c.softplus ? -2 : 0.01,
                           c.softplus ? 1 : 0.3);
          HostTensor A = randomTensor(f32, {c.d, c.N}, rng, -2, -0.1);
          HostTensor B = randomTensor(e, {b, c.G, c.N, L}, rng, -1, 1);
          HostTensor C = randomTensor(e, {b, c.G, c.N, L}, rng, -1, 1);
          HostTensor D = randomTensor(f32, {c.d}, rng, -1, 1);
          HostTensor z = randomTensor(e, {b, c.d, L}, rng, -2, 2);
          HostTensor bias = randomTensor(f32, {c.d}, rng, -0.5, 0.5);
          HostTensor h0 = randomTensor(f32, {b, c.d, c.N}, rng, -1, 1);

          std::vector<HostTensor *> args = {&u, &delta, &A, &B, &C};
          if (c.D)
            args.push_back(&D);
          if (c.z)
            args.push_back(&z);
          if (c.bias)
            args.push_back(&bias);
          if (c.state)
            args.push_back(&h0);
          HostTensor y(e, {b, c.d, L}), hN(f32, {b, c.d, c.N});
          std::vector<HostTensor *> results = {&y};
          if (c.state)
            results.push_back(&hN);
          run(backend, file, c.function, args, results);

          reference::Tensor rD = D.toReference(), rz = z.toReference(),
                            rBias = bias.toReference(), rh0 = h0.toReference();
          reference::SelectiveScanResult want = reference::selectiveScan(
              u.toReference(), delta.toReference(), A.toReference(),
              B.toReference(), C.toReference(), c.D ? &rD : nullptr,
              c.z ? &rz : nullptr, c.bias ? &rBias : nullptr,
              c.state ? &rh0 : nullptr, c.softplus);
          // The bounds: f32 1e-5, bf16 1e-2 (relative L2).
          const double limit = e == f32 ? 1e-5 : 1e-2;
          EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)),
                    limit);
          if (c.state) {
            EXPECT_LE(
                gpu_test::relativeL2Error(values(hN), values(want.finalState)),
                limit);
          }
        }
}

// Issue 18's long run: 65,536 steps in one call, f32 and bf16, against the
// double reference, within the same bounds as the short cases. Two regimes:
// a trained model's (A = -exp(A_log) with A_log = log(1..16) as mamba_ssm
// initializes it, dt of 0.001 to 0.1: memories of up to ~1,000 steps) and a
// slow one (|A| dt ~ 1e-5: the state sums most of the sequence, the case
// where rounding errors could pile up over the run).
TEST(CpuScanTest, SixtyFiveThousandStepsStayAccurate) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("scan.mmod", file);
  const ElementType f32 = ElementType::F32, bf16 = ElementType::BF16;
  const int64_t d = 20, N = 16, L = 65536;
  std::mt19937 rng(65536);
  CpuBackend backend(2);
  for (ElementType e : {f32, bf16})
    for (bool slow : {false, true}) {
      SCOPED_TRACE(std::string(e == f32 ? "f32" : "bf16") +
                   (slow ? ", slow decay" : ", model-like decay"));
      HostTensor u = randomTensor(e, {1, d, L}, rng, -1, 1);
      HostTensor delta = randomTensor(e, {1, d, L}, rng, slow ? 1e-4 : 1e-3,
                                      slow ? 2e-4 : 0.1);
      HostTensor A(f32, {d, N});
      for (int64_t c = 0; c < d; ++c)
        for (int64_t n = 0; n < N; ++n)
          A.set(c * N + n, slow ? -0.05 : -double(n + 1));
      HostTensor B = randomTensor(e, {1, 1, N, L}, rng, -1, 1);
      HostTensor C = randomTensor(e, {1, 1, N, L}, rng, -1, 1);
      HostTensor D = randomTensor(f32, {d}, rng, -1, 1);
      HostTensor z = randomTensor(e, {1, d, L}, rng, -2, 2);
      HostTensor bias(f32, {d});
      HostTensor h0 = randomTensor(f32, {1, d, N}, rng, -1, 1);
      HostTensor y(e, {1, d, L}), hN(f32, {1, d, N});
      // scan_*_all_n16 applies softplus to delta + bias: with a zero bias,
      // delta is the raw dt, which softplus maps to ~0.69 and up; undo it
      // so that the step is what the regime above asks for.
      for (int64_t c = 0; c < d; ++c)
        for (int64_t t = 0; t < L; ++t) {
          const double step = delta.get(c * L + t);
          delta.set(c * L + t, std::log(std::expm1(step)));
        }
      std::vector<HostTensor *> args = {&u, &delta, &A,    &B, &C,
                                        &D, &z,     &bias, &h0};
      std::vector<HostTensor *> results = {&y, &hN};
      run(backend, file, e == f32 ? "scan_f32_all_n16" : "scan_bf16_all_n16",
          args, results);
      reference::Tensor rD = D.toReference(), rz = z.toReference(),
                        rBias = bias.toReference(), rh0 = h0.toReference();
      reference::SelectiveScanResult want = reference::selectiveScan(
          u.toReference(), delta.toReference(), A.toReference(),
          B.toReference(), C.toReference(), &rD, &rz, &rBias, &rh0,
          /*deltaSoftplus=*/true);
      const double limit = e == f32 ? 1e-5 : 1e-2;
      const double yError =
          gpu_test::relativeL2Error(values(y), values(want.y));
      const double stateError =
          gpu_test::relativeL2Error(values(hN), values(want.finalState));
      std::printf("65,536 steps, %s, %s decay: y %.3g, final state %.3g\n",
                  e == f32 ? "f32" : "bf16", slow ? "slow" : "model-like",
                  yError, stateError);
      EXPECT_LE(yError, limit);
      EXPECT_LE(stateError, limit);
    }
}

} // namespace
} // namespace mamba::runtime::cpu
