//===- CpuScanTest.cpp - The compiled selective scan on the CPU -----------===//
//
// mamba-compile --target x86-64,cpu's scan (one channel and all its states
// per block) against the reference library on random inputs: every
// optional operand in f32, groups and bf16, lengths that are not a multiple
// of the chunk, L = 1, several threads.
//
//===----------------------------------------------------------------------===//

#include "CpuTestSupport.h"
#include "mamba/Reference/SelectiveScan.h"
#include "mamba/Runtime/Cpu/Backend.h"

#include <gtest/gtest.h>

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
    bool all; ///< D, z, delta_bias and softplus, else z only
    double limit;
  };
  const Case cases[] = {
      {"scan_f32_all", ElementType::F32, 64, 16, 1, true, 1e-5},
      {"scan_bf16_groups", ElementType::BF16, 32, 4, 2, false, 1e-2},
  };
  std::mt19937 rng(11);
  for (int threads : {1, 2})
    for (const Case &c : cases)
      for (int64_t b : {1, 3})
        for (int64_t L : {1, 37, 64}) {
          SCOPED_TRACE(std::string(c.function) + " b=" + std::to_string(b) +
                       " L=" + std::to_string(L) + ", " +
                       std::to_string(threads) + " threads");
          CpuBackend backend(threads);
          std::string error;
          const ElementType e = c.element, f32 = ElementType::F32;
          HostTensor u = randomTensor(e, {b, c.d, L}, rng, -1, 1);
          // delta around softplus's knee, or small positive steps.
          HostTensor delta = randomTensor(e, {b, c.d, L}, rng,
                                          c.all ? -2 : 0.01, c.all ? 1 : 0.3);
          HostTensor A = randomTensor(f32, {c.d, c.N}, rng, -2, -0.1);
          HostTensor B = randomTensor(e, {b, c.G, c.N, L}, rng, -1, 1);
          HostTensor C = randomTensor(e, {b, c.G, c.N, L}, rng, -1, 1);
          HostTensor D = randomTensor(f32, {c.d}, rng, -1, 1);
          HostTensor z = randomTensor(e, {b, c.d, L}, rng, -2, 2);
          HostTensor bias = randomTensor(f32, {c.d}, rng, -0.5, 0.5);

          std::vector<HostTensor *> args = {&u, &delta, &A, &B, &C};
          if (c.all)
            args.insert(args.end(), {&D, &z, &bias});
          else
            args.push_back(&z);
          HostTensor y(e, {b, c.d, L});
          run(backend, file, c.function, args, {&y});

          reference::Tensor rD = D.toReference(), rz = z.toReference(),
                            rBias = bias.toReference();
          reference::SelectiveScanResult want = reference::selectiveScan(
              u.toReference(), delta.toReference(), A.toReference(),
              B.toReference(), C.toReference(), c.all ? &rD : nullptr, &rz,
              c.all ? &rBias : nullptr, nullptr, c.all);
          double err = gpu_test::relativeL2Error(values(y), values(want.y));
          EXPECT_LE(err, c.limit);
        }
}

} // namespace
} // namespace mamba::runtime::cpu
