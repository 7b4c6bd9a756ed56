//===- RegisterMamba.h - everything a mamba tool registers ------*- C++ -*-===//
//
// The one place that decides what mamba-opt, mamba-compile and the Python
// module know about, so the tools never disagree on dialects or passes.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REGISTRATION_REGISTERMAMBA_H
#define MAMBA_REGISTRATION_REGISTERMAMBA_H

namespace mlir {
class DialectRegistry;

namespace mamba {

/// Adds the mamba dialect, every upstream dialect and their extensions
/// (interfaces, translations) to `registry`.
void registerAllMambaDialects(DialectRegistry &registry);

/// Registers every upstream pass, every mamba pass and the mamba pipelines
/// with the global pass registry (for command-line tools).
void registerAllMambaPasses();

} // namespace mamba
} // namespace mlir

#endif // MAMBA_REGISTRATION_REGISTERMAMBA_H
