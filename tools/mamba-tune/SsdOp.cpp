//===- SsdOp.cpp - mamba-tune's ssd_scan
//------------------------------------===//
//
// The Mamba-2 SSD's choices on a GPU (signature: H heads of P channels, N
// states, G groups): the per-step recurrence (mamba-tile-ssd-scan, the
// default) or, for 16-bit activations with P and N multiples of 16 and N
// up to 256, the chunked tensor-core kernel (mamba-tile-ssd-chunked) with
// chunks of 16, 32 or 64 positions and blocks of 16, 32 or 64 channels
// that divide P (a tiling whose buffers overflow shared memory fails to
// compile and is recorded as such). The CPU's SSD has one form: nothing to
// choose. Its problem: the SSD benchmark's operands (bench/SsdInputs.h: D,
// z, dt_bias, softplus) against the reference library's per-step SSD.
//
//===----------------------------------------------------------------------===//

#include "TunableOp.h"

#include "SsdInputs.h"

namespace mamba::tune {

namespace {

class SsdProblem : public Problem {
public:
  bool prepare(runtime::Backend &backend, runtime::Queue &queue,
               const Signature &signature, int64_t b, int64_t L,
               std::string &error) override {
    using namespace mamba::bench;
    const ElementType act = signature.type == "bf16"  ? ElementType::BF16
                            : signature.type == "f16" ? ElementType::F16
                                                      : ElementType::F32;
    const ssd::Sizes sizes{signature.size("H"), signature.size("P"),
                           signature.size("N"), signature.size("G")};
    begin(backend, queue, "ssd", act);
    std::vector<HostTensor> host;
    for (int op = 0; op < ssd::NumOperands; ++op) {
      host.push_back(
          ssd::makeOperand(ssd::Operand(op), act, sizes, b, L, 4242 + op));
      if (!addArgument(host.back(), error)) {
        error = std::string(ssd::kOperandNames[op]) + ": " + error;
        return false;
      }
    }
    // As for the scan: the reference reads the rounded operands.
    return setOutput(ssd::operandShape(ssd::X, sizes, b, L),
                     ssd::expectedY(host), error);
  }
};

class SsdScanOp : public TunableOp {
public:
  const char *name() const override { return "ssd_scan"; }

  std::vector<Parameter> parameters() const override {
    return {{"tensor_cores", "tc"}, {"chunk", "c"}, {"channel_block", "p"}};
  }

  std::vector<std::string> signatureKeys() const override {
    return {"H", "P", "N", "G"};
  }

  std::vector<Candidate> candidates(bool gpu,
                                    const Signature &sig) const override {
    std::vector<Candidate> out = {candidate({0, 0, 0})};
    const int64_t P = sig.size("P"), N = sig.size("N");
    if (!gpu || sig.type == "f32" || P % 16 != 0 || N % 16 != 0 || N > 256)
      return out;
    for (int64_t chunk : {16, 32, 64})
      for (int64_t block : {16, 32, 64})
        if (P % block == 0)
          out.push_back(candidate({1, chunk, block}));
    return out;
  }

  std::unique_ptr<Problem> makeProblem() const override {
    return std::make_unique<SsdProblem>();
  }
};

} // namespace

const TunableOp &ssdScanOp() {
  static const SsdScanOp op;
  return op;
}

} // namespace mamba::tune
