//===- OpSource.cpp - What mamba-tune compiles, per op kind ---------------===//

#include "OpSource.h"

namespace mamba::tune {

std::vector<const OpSource *> opSources() {
  return {&selectiveScanSource(), &ssdScanSource()};
}

std::string typeName(mlir::Type type) {
  return type.isF32()    ? "f32"
         : type.isBF16() ? "bf16"
         : type.isF16()  ? "f16"
                         : "";
}

void addSignature(std::vector<Signature> &out, const Signature &s) {
  for (const Signature &seen : out)
    if (seen.key() == s.key())
      return;
  out.push_back(s);
}

} // namespace mamba::tune
