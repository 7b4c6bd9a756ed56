//===- ScanOp.cpp - mamba-tune's selective_scan
//-----------------------------===//
//
// The Mamba-1 scan's tilings (the tiling passes' parameters: channels per
// block, states per thread, chunk length, sequence splits) for one
// signature (d channels, N states, G groups), less what cannot work (a
// block past 1024 threads, channels per block that do not divide a group,
// threads per channel that are not a power of two up to a warp), and its
// problem: the benchmark scan's operands (bench/ScanInputs.h, N = 16 and
// one group) against the reference library's scan.
//
//===----------------------------------------------------------------------===//

#include "TunableOp.h"

#include "ScanInputs.h"
#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"

namespace mamba::tune {

namespace tiling = mlir::mamba::tiling;

namespace {

struct ScanShape {
  int64_t channels, states, groups;
};

/// Halves `channels` until it divides the channels per group, as the
/// compile driver does for a default (Compile.cpp's fitChannelsPerBlock).
int64_t fitToGroups(int64_t channels, const ScanShape &shape) {
  const int64_t perGroup = shape.groups > 1 ? shape.channels / shape.groups : 0;
  while (channels > 1 && perGroup && perGroup % channels != 0)
    channels /= 2;
  return channels;
}

bool dividesGroups(int64_t channels, const ScanShape &shape) {
  return shape.groups <= 1 || (shape.channels / shape.groups) % channels == 0;
}

class ScanProblem : public Problem {
public:
  bool prepare(runtime::Backend &backend, runtime::Queue &queue,
               const Signature &signature, int64_t b, int64_t L,
               std::string &error) override {
    using namespace mamba::bench;
    const ElementType act =
        signature.type == "bf16" ? ElementType::BF16 : ElementType::F32;
    const int64_t d = signature.size("d");
    begin(backend, queue, "scan", act);
    std::vector<HostTensor> host;
    for (int op = 0; op < NumOperands; ++op) {
      host.push_back(makeOperand(Operand(op), act, b, d, L, 4242 + op));
      if (!addArgument(host.back(), error)) {
        error = std::string(kOperandNames[op]) + ": " + error;
        return false;
      }
    }
    // The reference sees the values the kernel reads (rounded to bf16
    // where the operands are): the check measures the kernel, not the
    // rounding.
    std::vector<reference::Tensor> in;
    for (const HostTensor &t : host)
      in.push_back(t.toReference());
    std::vector<double> expected =
        reference::selectiveScan(in[U], in[Delta], in[A], in[B], in[C], &in[D],
                                 &in[Z], &in[DeltaBias], nullptr,
                                 /*deltaSoftplus=*/true)
            .y.values();
    return setOutput({b, d, L}, std::move(expected), error);
  }
};

class SelectiveScanOp : public TunableOp {
public:
  const char *name() const override { return "selective_scan"; }

  std::vector<Parameter> parameters() const override {
    return {{"channels_per_block", "cb"},
            {"states_per_thread", "s"},
            {"chunk_length", "t"},
            {"sequence_splits", "q"}};
  }

  std::vector<std::string> signatureKeys() const override {
    return {"d", "N", "G"};
  }

  std::vector<Candidate> candidates(bool gpu,
                                    const Signature &sig) const override {
    const ScanShape shape{sig.size("d"), sig.size("N"), sig.size("G")};
    std::vector<Candidate> out;
    if (gpu)
      out.push_back(candidate(
          {fitToGroups(tiling::kScanChannelsPerBlock, shape),
           tiling::kScanStatesPerThread == 0 ? shape.states
                                             : tiling::kScanStatesPerThread,
           tiling::kScanChunkLength, tiling::kScanSequenceSplits}));
    else
      out.push_back(
          candidate({fitToGroups(tiling::kCpuScanChannelsPerBlock, shape),
                     shape.states, tiling::kCpuScanChunkLength, 1}));
    auto add = [&](const Candidate &c) {
      for (const Candidate &seen : out)
        if (seen == c)
          return;
      out.push_back(c);
    };
    if (!gpu) {
      // A block is one thread; its channels are vector lanes: 4 (SSE) to
      // 16 (an AVX-512 register). Chunks amortize the staging. Wider lanes
      // and longer chunks compile for minutes (the transposes and the
      // unrolled chunk grow as their product: 32 lanes x 128 steps took
      // 82 s).
      for (int64_t lanes : {4, 8, 16})
        for (int64_t chunk : {16, 32, 64})
          if (dividesGroups(lanes, shape) && lanes <= shape.channels * 2)
            add(candidate({lanes, shape.states, chunk, 1}));
      return out;
    }
    // The GPU: the ranges the scan benchmarks found the best tiles in
    // (bench/RESULTS.md: 32-64 channels, 4-16 states per thread, 16-step
    // chunks, 1-16 sequence splits), one step beyond each: 72 candidates
    // for N = 16, about 14 MB of modules.
    const int64_t warp = 32, maxThreads = 1024;
    for (int64_t channels : {32, 64, 128})
      for (int64_t states = shape.states;
           states >= 1 && states * 4 >= shape.states; states /= 2) {
        if (shape.states % states != 0)
          continue;
        const int64_t perChannel = shape.states / states;
        if (perChannel > warp || channels * perChannel > maxThreads ||
            !dividesGroups(channels, shape))
          continue;
        for (int64_t chunk : {16, 32})
          for (int64_t splits : {1, 4, 8, 16})
            add(candidate({channels, states, chunk, splits}));
      }
    return out;
  }

  std::unique_ptr<Problem> makeProblem() const override {
    return std::make_unique<ScanProblem>();
  }
};

} // namespace

const TunableOp &selectiveScanOp() {
  static const SelectiveScanOp op;
  return op;
}

} // namespace mamba::tune
