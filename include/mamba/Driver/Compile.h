//===- Compile.h - The compile driver, as a library call --------*- C++ -*-===//
//
// Everything mamba-compile does between reading its input and writing a
// module file: the frontend and the planner for a model, then the GPU
// pipeline once per chip, serialized as a cubin and PTX, and the module
// written. A library function so that mamba-compile, the Python module and
// the tuner compile the same way.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DRIVER_COMPILE_H
#define MAMBA_DRIVER_COMPILE_H

#include "mamba/Conversion/MambaToKernels/TilingDefaults.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
class SourceMgr;
} // namespace llvm

namespace mlir::mamba {

struct CompileOptions {
  /// Targets: GPU architectures (sm_80 and newer), each as a cubin and
  /// PTX, or host CPU levels (x86-64 to x86-64-v4, or "cpu" for this
  /// machine's), each as a shared object. One module holds one family.
  std::vector<std::string> chips = {"sm_90a"};
  /// Tile sizes of scans without a tiling attribute; unset, the target's
  /// default (TilingDefaults.h: the GPU's or the CPU's). The CPU tiling
  /// takes channels per block and the chunk length; it keeps every state
  /// of a channel in one block and never splits the sequence, so the other
  /// two are refused there.
  std::optional<int64_t> channelsPerBlock, statesPerThread, chunkLength,
      sequenceSplits;
  /// Mamba-2's SSD on a GPU: as chunked tensor-core products (16-bit
  /// inputs, sm_80 on) or the per-step recurrence; the chunk and the
  /// channels of a head per block (0: the defaults). The chunked kernel is
  /// opt-in until its GPU tests have run: the per-step one has passed them.
  bool ssdTensorCores = false;
  int64_t ssdChunk = 0, ssdChannelBlock = 0;
  /// mamba-tune's database (TuningDb.h), or empty for none: when no tiling
  /// option above is set, scans of a signature it has an entry for (for
  /// the target, the entry whose bucket is nearest tuningBatch x
  /// tuningLength) get that tiling instead of the target's default. On a
  /// GPU, when no SSD option is set (ssdTensorCores false, ssdChunk and
  /// ssdChannelBlock 0), so do SSD scans: their entry's kernel (per-step or
  /// chunked) and sizes.
  std::string tuningDb;
  /// Without tuningDb: the shipped databases (the source tree's tuning/
  /// folder) that have entries for the target are used, unless this is off.
  bool shippedTuning = true;
  int64_t tuningBatch = 1, tuningLength = 2048;
  /// Where to say what the database decided (each tiling used, entries
  /// ignored), if anywhere.
  std::vector<std::string> *tuningNotes = nullptr;
  /// Code generation.
  bool promote = true;
  bool doubleBuffer = true;
  int64_t maxRegisters = 0;
  bool flushDenormals = true;
  /// The CUDA toolkit that gives libdevice and ptxas.
  std::string toolkit = "/usr/local/cuda";
};

/// The folder of the shipped tuning databases (the source tree's tuning/)
/// that CompileOptions::shippedTuning reads.
const char *shippedTuningDir();

/// Reads what mamba-compile takes: a model directory (config.json and
/// *.safetensors, imported with compute type `dtype`) or a .mlir file
/// (registered with `sourceMgr` so diagnostics quote it). On failure
/// returns null; `error` is set, or empty when a diagnostic was emitted.
OwningOpRef<ModuleOp> loadCompileInput(MLIRContext *context,
                                       const std::string &path,
                                       const std::string &dtype,
                                       llvm::SourceMgr &sourceMgr,
                                       std::string &error);

/// Compiles `module` (kernel functions, or a model whose functions have
/// mamba.input arguments) and writes the module file to `os`. On failure,
/// diagnostics name the op at fault and `error` says which stage failed.
LogicalResult compileToModuleFile(ModuleOp module,
                                  const CompileOptions &options,
                                  llvm::raw_ostream &os, std::string &error);

} // namespace mlir::mamba

#endif // MAMBA_DRIVER_COMPILE_H
