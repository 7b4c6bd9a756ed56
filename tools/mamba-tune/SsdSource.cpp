//===- SsdSource.cpp - What mamba-tune compiles for ssd_scan --------------===//

#include "OpSource.h"
#include "TunableOp.h"

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

namespace mamba::tune {

using mlir::cast;
using mlir::ShapedType;

namespace {

Signature ssdSignature(int64_t H, int64_t P, int64_t N, int64_t G,
                       std::string type) {
  return {ssdScanOp().name(),
          {{"H", H}, {"P", P}, {"N", N}, {"G", G}},
          std::move(type)};
}

bool allStatic(std::initializer_list<int64_t> sizes) {
  for (int64_t n : sizes)
    if (ShapedType::isDynamic(n) || n < 1)
      return false;
  return true;
}

/// ssd_scan ops ([b, L, H, P] x, [b, L, G, N] B), and the SSD inside each
/// Mamba-2 mixer of a model.
void collect(mlir::ModuleOp module, std::vector<Signature> &out) {
  module.walk([&](mlir::mamba::SsdScanOp op) {
    auto x = cast<ShapedType>(op.getX().getType());
    auto b = cast<ShapedType>(op.getB().getType());
    if (x.getRank() != 4 || b.getRank() != 4)
      return;
    const int64_t H = x.getDimSize(2), P = x.getDimSize(3), G = b.getDimSize(2),
                  N = b.getDimSize(3);
    if (allStatic({H, P, G, N}))
      addSignature(out, ssdSignature(H, P, N, G, typeName(x.getElementType())));
  });
  module.walk([&](mlir::mamba::Mixer2Op op) {
    const int64_t H = op.getHeads(), P = op.getHeadDim(), N = op.getStateSize(),
                  G = op.getNGroups();
    auto hidden = cast<ShapedType>(op.getHidden().getType());
    if (allStatic({H, P, G, N}))
      addSignature(out,
                   ssdSignature(H, P, N, G, typeName(hidden.getElementType())));
  });
}

std::string unsupported(const Signature &s) {
  return s.type.empty() ? "activations of a type other than f32, bf16, f16"
                        : "";
}

/// bench/ssd-kernels.mlir's function for these sizes: x, dt, A, B, C, D
/// per head, z, dt_bias; softplus.
std::string source(const Signature &s) {
  const std::string H = std::to_string(s.size("H")),
                    P = std::to_string(s.size("P")),
                    N = std::to_string(s.size("N")),
                    G = std::to_string(s.size("G")), t = s.type;
  const std::string x = "tensor<?x?x" + H + "x" + P + "x" + t + ">",
                    dt = "tensor<?x?x" + H + "x" + t + ">",
                    bc = "tensor<?x?x" + G + "x" + N + "x" + t + ">",
                    head = "tensor<" + H + "xf32>";
  const std::string types = x + ", " + dt + ", " + head + ", " + bc + ", " +
                            bc + ", " + head + ", " + x + ", " + head;
  return "func.func @ssd(%x: " + x + ", %dt: " + dt + ", %A: " + head +
         ", %B: " + bc + ", %C: " + bc + ", %D: " + head + ", %z: " + x +
         ", %bias: " + head + ") -> " + x +
         " {\n  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) "
         "dt_bias(%bias) dt_softplus\n      : (" +
         types + ") -> " + x + "\n  return %y : " + x + "\n}\n";
}

void configure(const Candidate &c, bool gpu,
               mlir::mamba::CompileOptions &options) {
  if (!gpu)
    return;
  options.ssdTensorCores = c.get("tensor_cores") != 0;
  options.ssdChunk = c.get("chunk");
  options.ssdChannelBlock = c.get("channel_block");
}

} // namespace

const OpSource &ssdScanSource() {
  static const OpSource s{"ssd_scan", collect, unsupported, source, configure};
  return s;
}

} // namespace mamba::tune
