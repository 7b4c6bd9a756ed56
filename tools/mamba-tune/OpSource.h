//===- OpSource.h - What mamba-tune compiles for an op kind -----*- C++ -*-===//
//
// The compiling half's counterpart of TunableOp.h, per op kind: the
// signatures of a module's ops (the op itself and the composites that
// decompose into it), the function every candidate of a signature compiles
// (the op's benchmark form, whose function name and operands the op's
// Problem calls), and a candidate's tiling as compile options.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_OPSOURCE_H
#define MAMBA_TOOLS_OPSOURCE_H

#include "Candidate.h"

#include "mamba/Driver/Compile.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mamba::tune {

struct OpSource {
  /// TunableOp::name() of the op it compiles for.
  const char *op;
  /// Appends the signatures of `module`'s ops of this kind, each once.
  void (*collect)(mlir::ModuleOp module, std::vector<Signature> &out);
  /// Why the tuner cannot measure `signature` (the problems it can draw),
  /// or empty.
  std::string (*unsupported)(const Signature &signature);
  /// The function (its benchmark form) the candidates compile.
  std::string (*source)(const Signature &signature);
  /// Sets `options` to candidate `c`'s tiling.
  void (*configure)(const Candidate &c, bool gpu,
                    mlir::mamba::CompileOptions &options);
};

const OpSource &selectiveScanSource();
const OpSource &ssdScanSource();
/// One per TunableOp, in tunableOps()' order.
std::vector<const OpSource *> opSources();

/// "f32", "bf16", "f16", or empty for another type.
std::string typeName(mlir::Type type);
/// Appends `s` to `out` unless a signature with its key is there.
void addSignature(std::vector<Signature> &out, const Signature &s);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_OPSOURCE_H
