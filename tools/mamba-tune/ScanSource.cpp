//===- ScanSource.cpp - What mamba-tune compiles for selective_scan -------===//

#include "OpSource.h"
#include "TunableOp.h"

#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

namespace mamba::tune {

using mlir::cast;
using mlir::ShapedType;

namespace {

Signature scanSignature(int64_t d, int64_t N, int64_t G, std::string type) {
  return {selectiveScanOp().name(), {{"d", d}, {"N", N}, {"G", G}}, type};
}

/// selective_scan ops, and the scan inside each mixer of a model.
void collect(mlir::ModuleOp module, std::vector<Signature> &out) {
  module.walk([&](mlir::mamba::SelectiveScanOp op) {
    if (std::optional<mlir::mamba::ScanSignature> s =
            mlir::mamba::scanSignature(op))
      addSignature(out,
                   scanSignature(s->channels, s->states, s->groups, s->type));
  });
  module.walk([&](mlir::mamba::MixerOp op) {
    auto a = cast<ShapedType>(op.getALog().getType());
    auto hidden = cast<ShapedType>(op.getHidden().getType());
    if (a.hasStaticShape())
      addSignature(out, scanSignature(a.getDimSize(0), a.getDimSize(1), 1,
                                      typeName(hidden.getElementType())));
  });
}

std::string unsupported(const Signature &s) {
  if (s.size("N") != 16 || s.size("G") != 1 || s.type == "f16")
    return "the tuner's scan problems have N = 16, one group, f32 or bf16";
  return "";
}

/// The benchmark scans' function (bench/make-scan-kernels.sh's operands
/// and options).
std::string source(const Signature &s) {
  const std::string d = std::to_string(s.size("d")), t = s.type;
  const std::string act = "tensor<?x" + d + "x?x" + t + ">",
                    bc = "tensor<?x1x16x?x" + t + ">",
                    a = "tensor<" + d + "x16xf32>",
                    vec = "tensor<" + d + "xf32>";
  return "func.func @scan(%u: " + act + ", %delta: " + act + ", %A: " + a +
         ", %B: " + bc + ", %C: " + bc + ", %D: " + vec + ", %z: " + act +
         ", %delta_bias: " + vec + ") -> " + act +
         " {\n  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) "
         "delta_bias(%delta_bias) delta_softplus\n      : (" +
         act + ", " + act + ", " + a + ", " + bc + ", " + bc + ", " + vec +
         ", " + act + ", " + vec + ") -> " + act + "\n  return %y : " + act +
         "\n}\n";
}

void configure(const Candidate &c, bool gpu,
               mlir::mamba::CompileOptions &options) {
  options.channelsPerBlock = c.get("channels_per_block");
  options.chunkLength = c.get("chunk_length");
  if (gpu) {
    options.statesPerThread = c.get("states_per_thread");
    options.sequenceSplits = c.get("sequence_splits");
  }
}

} // namespace

const OpSource &selectiveScanSource() {
  static const OpSource s{"selective_scan", collect, unsupported, source,
                          configure};
  return s;
}

} // namespace mamba::tune
