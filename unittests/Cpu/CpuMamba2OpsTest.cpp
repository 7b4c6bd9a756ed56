//===- CpuMamba2OpsTest.cpp - The compiled Mamba-2 ops on the CPU ---------===//
//
// mamba-compile --target x86-64,cpu's SSD scan (TileSsdCpu.cpp) against
// the reference library's per-step SSD on random inputs: N from 16 to 256,
// P 32 and 64, 1, 2 and 8 groups, D per head and per head and channel,
// every optional operand (z, dt_bias, initial states, seq_idx with packed
// sequences), dt limits, f32 and bf16, L = 1 and lengths that are not a
// multiple of the chunk size, one and two threads; and the decode step
// (ssd_state_update) against reference::ssdStep, and the gated norm
// (TileRmsNormGatedCpu.cpp) against reference::gatedRmsNorm.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Reference/GatedRmsNorm.h"
#include "mamba/Reference/SsdScan.h"
#include "mamba/Runtime/Cpu/Backend.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace mamba::runtime::cpu {
namespace {

enum class Skip { None, Head, Channel };

TEST(CpuMamba2OpsTest, ScansMatchTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ssd.mmod", file);
  struct Case {
    const char *function;
    ElementType element;
    int64_t H, P, G, N;
    Skip D;
    bool z, bias, softplus, init, seq;
    double dtMin, dtMax; ///< 0 and inf: no clamp
    bool final;
  };
  // The functions of compiled/ssd.mlir.
  const ElementType f32 = ElementType::F32, bf16 = ElementType::BF16;
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"ssd_f32_all_n16", f32, 4, 32, 2, 16, Skip::Head, true, true, true, true,
       true, 0.001, 0.5, true},
      {"ssd_f32_bare_n64", f32, 2, 64, 1, 64, Skip::None, false, false, false,
       false, false, 0.0, inf, false},
      {"ssd_f32_g8_n128", f32, 8, 32, 8, 128, Skip::Channel, false, true, true,
       true, false, 0.0, inf, true},
      {"ssd_bf16_g8_n128", bf16, 8, 32, 8, 128, Skip::Channel, true, true, true,
       false, false, 0.0, inf, true},
      {"ssd_bf16_all_n256", bf16, 2, 64, 1, 256, Skip::Head, true, true, true,
       true, true, 0.0, 0.2, true},
  };
  std::mt19937 rng(21);
  for (int threads : {1, 2})
    for (const Case &c : cases)
      for (int64_t b : {1, 2})
        // One position; a 16-position chunk and a part; whole chunks only.
        for (int64_t L : {1, 37, 64}) {
          SCOPED_TRACE(std::string(c.function) + " b=" + std::to_string(b) +
                       " L=" + std::to_string(L) + ", " +
                       std::to_string(threads) + " threads");
          CpuBackend backend(threads);
          const ElementType e = c.element;
          HostTensor x = randomTensor(e, {b, L, c.H, c.P}, rng, -1, 1);
          // dt around softplus's knee, or small positive steps.
          HostTensor dt =
              randomTensor(e, {b, L, c.H}, rng, c.softplus ? -3 : 0.01,
                           c.softplus ? 0.5 : 0.3);
          HostTensor A = randomTensor(f32, {c.H}, rng, -2, -0.1);
          HostTensor B = randomTensor(e, {b, L, c.G, c.N}, rng, -1, 1);
          HostTensor C = randomTensor(e, {b, L, c.G, c.N}, rng, -1, 1);
          HostTensor D = c.D == Skip::Channel
                             ? randomTensor(f32, {c.H, c.P}, rng, -1, 1)
                             : randomTensor(f32, {c.H}, rng, -1, 1);
          HostTensor z = randomTensor(e, {b, L, c.H, c.P}, rng, -2, 2);
          HostTensor bias = randomTensor(f32, {c.H}, rng, -0.5, 0.5);
          HostTensor h0 = randomTensor(f32, {b, c.H, c.P, c.N}, rng, -1, 1);
          // Row r packs sequences that start at positions 0, 5 + r and 20.
          HostTensor seq(ElementType::I32, {b, L});
          for (int64_t r = 0; r < b; ++r)
            for (int64_t t = 0; t < L; ++t)
              seq.set(r * L + t, t < 5 + r ? 3 : t < 20 ? 4 : 9);

          std::vector<HostTensor *> args = {&x, &dt, &A, &B, &C};
          if (c.D != Skip::None)
            args.push_back(&D);
          if (c.z)
            args.push_back(&z);
          if (c.bias)
            args.push_back(&bias);
          if (c.init)
            args.push_back(&h0);
          if (c.seq)
            args.push_back(&seq);
          HostTensor y(e, {b, L, c.H, c.P}), hN(f32, {b, c.H, c.P, c.N});
          std::vector<HostTensor *> results = {&y};
          if (c.final)
            results.push_back(&hN);
          run(backend, file, c.function, args, results);

          reference::Tensor rD = D.toReference(), rz = z.toReference(),
                            rBias = bias.toReference(), rh0 = h0.toReference(),
                            rSeq = seq.toReference();
          reference::DtOptions options;
          options.softplus = c.softplus;
          options.low = c.dtMin;
          options.high = c.dtMax;
          reference::SsdScanResult want = reference::ssdScan(
              x.toReference(), dt.toReference(), A.toReference(),
              B.toReference(), C.toReference(),
              c.D != Skip::None ? &rD : nullptr, c.z ? &rz : nullptr,
              c.bias ? &rBias : nullptr, c.init ? &rh0 : nullptr,
              c.seq ? &rSeq : nullptr, options);
          // The bounds: f32 1e-5, bf16 1e-2 (relative L2).
          const double limit = e == f32 ? 1e-5 : 1e-2;
          EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)),
                    limit);
          if (c.final) {
            EXPECT_LE(
                gpu_test::relativeL2Error(values(hN), values(want.finalStates)),
                limit);
          }
        }
}

TEST(CpuMamba2OpsTest, DecodeStepsMatchTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("ssd_step.mmod", file);
  struct Case {
    const char *function;
    ElementType element;
    int64_t H, P, G, N;
    Skip D;
    bool z, bias, softplus;
    double dtMin, dtMax;
  };
  // The functions of compiled/ssd_step.mlir.
  const ElementType f32 = ElementType::F32, bf16 = ElementType::BF16;
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"step_f32_all_n16", f32, 4, 32, 2, 16, Skip::Head, true, true, true,
       0.001, 0.5},
      {"step_bf16_g8_n128", bf16, 8, 32, 8, 128, Skip::Channel, true, true,
       true, 0.0, inf},
      {"step_f32_bare_n256", f32, 2, 64, 1, 256, Skip::None, false, false,
       false, 0.0, inf},
  };
  std::mt19937 rng(22);
  for (int threads : {1, 2})
    for (const Case &c : cases)
      for (int64_t b : {1, 3}) {
        SCOPED_TRACE(std::string(c.function) + " b=" + std::to_string(b) +
                     ", " + std::to_string(threads) + " threads");
        CpuBackend backend(threads);
        const ElementType e = c.element;
        HostTensor state = randomTensor(f32, {b, c.H, c.P, c.N}, rng, -1, 1);
        HostTensor x = randomTensor(e, {b, c.H, c.P}, rng, -1, 1);
        HostTensor dt = randomTensor(e, {b, c.H}, rng, c.softplus ? -3 : 0.01,
                                     c.softplus ? 0.5 : 0.3);
        HostTensor A = randomTensor(f32, {c.H}, rng, -2, -0.1);
        HostTensor B = randomTensor(e, {b, c.G, c.N}, rng, -1, 1);
        HostTensor C = randomTensor(e, {b, c.G, c.N}, rng, -1, 1);
        HostTensor D = c.D == Skip::Channel
                           ? randomTensor(f32, {c.H, c.P}, rng, -1, 1)
                           : randomTensor(f32, {c.H}, rng, -1, 1);
        HostTensor z = randomTensor(e, {b, c.H, c.P}, rng, -2, 2);
        HostTensor bias = randomTensor(f32, {c.H}, rng, -0.5, 0.5);
        std::vector<HostTensor *> args = {&state, &x, &dt, &A, &B, &C};
        if (c.D != Skip::None)
          args.push_back(&D);
        if (c.z)
          args.push_back(&z);
        if (c.bias)
          args.push_back(&bias);
        HostTensor y(e, {b, c.H, c.P}), next(f32, {b, c.H, c.P, c.N});
        run(backend, file, c.function, args, {&y, &next});

        reference::Tensor rD = D.toReference(), rz = z.toReference(),
                          rBias = bias.toReference();
        reference::DtOptions options;
        options.softplus = c.softplus;
        options.low = c.dtMin;
        options.high = c.dtMax;
        reference::SsdStepResult want = reference::ssdStep(
            state.toReference(), x.toReference(), dt.toReference(),
            A.toReference(), B.toReference(), C.toReference(),
            c.D != Skip::None ? &rD : nullptr, c.z ? &rz : nullptr,
            c.bias ? &rBias : nullptr, options);
        const double limit = e == f32 ? 1e-5 : 1e-2;
        EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want.y)), limit);
        EXPECT_LE(
            gpu_test::relativeL2Error(values(next), values(want.newState)),
            limit);
      }
}

TEST(CpuMamba2OpsTest, GatedNormsMatchTheReference) {
  ModuleFile file;
  MAMBA_LOAD_COMPILED("gated_norm.mmod", file);
  struct Case {
    const char *function;
    ElementType element, weight;
    int64_t F, group;
    bool z, tokens; ///< tokens: [b, L, F], else [rows, F]
    double eps;
  };
  // The functions of compiled/gated_norm.mlir.
  const ElementType f32 = ElementType::F32, bf16 = ElementType::BF16;
  const Case cases[] = {
      {"norm_f32_groups", f32, f32, 128, 32, true, false, 1e-5},
      {"norm_f32_one_group_no_z", f32, f32, 96, 96, false, true, 1e-3},
      {"norm_bf16_groups", bf16, bf16, 256, 64, true, true, 1e-5},
  };
  std::mt19937 rng(23);
  for (int threads : {1, 2})
    for (const Case &c : cases) {
      SCOPED_TRACE(std::string(c.function) + ", " + std::to_string(threads) +
                   " threads");
      CpuBackend backend(threads);
      const Shape shape = c.tokens ? Shape{2, 5, c.F} : Shape{7, c.F};
      HostTensor x = randomTensor(c.element, shape, rng, -2, 2);
      HostTensor z = randomTensor(c.element, shape, rng, -3, 3);
      HostTensor w = randomTensor(c.weight, {c.F}, rng, 0.5, 1.5);
      std::vector<HostTensor *> args = {&x, &w};
      if (c.z)
        args.push_back(&z);
      HostTensor y(c.element, shape);
      run(backend, file, c.function, args, {&y});
      reference::Tensor rz = z.toReference();
      reference::Tensor want =
          reference::gatedRmsNorm(x.toReference(), c.z ? &rz : nullptr,
                                  w.toReference(), c.group, c.eps);
      EXPECT_LE(gpu_test::relativeL2Error(values(y), values(want)),
                c.element == f32 ? 1e-5 : 1e-2);
    }
}

} // namespace
} // namespace mamba::runtime::cpu
