//===- ModelImporter.h - A model directory as mamba IR ----------*- C++ -*-===//
//
// Turns a Hugging Face-style model directory (config.json and *.safetensors)
// into a module of two functions at tensor level:
//
//   @prefill(ids [b, L] i32, weights...)
//       -> (logits [b, L, V], conv_state_i [b, E, K]..., ssm_state_i [b, E, N]...)
//   @decode_step(ids [b] i32, conv_state_i..., ssm_state_i..., weights...)
//       -> (logits [b, V], conv_state_i..., ssm_state_i...)
//
// Each layer is rms_norm (with the residual stream fused in) + mamba.mixer
// (mamba.mixer_step when decoding). Weight arguments carry
// {mamba.weight = NAME} with their stored shape; state arguments and results
// carry {mamba.state = "layers.I.conv" | "layers.I.ssm"}, so a runtime can
// pair a step's state results with the next step's arguments. Only the
// safetensors headers are read; the weights' data stays on disk.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_IMPORT_MODELIMPORTER_H
#define MAMBA_IMPORT_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace mlir::mamba {

struct ModelImportOptions {
  /// The type of activations and of the GEMM and norm weights: "auto" (the
  /// config's torch_dtype, else the embedding table's dtype), "f32", "bf16"
  /// or "f16". A, D and the time-step bias stay f32 whatever this says.
  std::string dtype = "auto";
};

/// Imports `directory`. On failure returns null and sets `error` to a
/// message naming the file, weight or config field at fault.
OwningOpRef<ModuleOp> importModel(MLIRContext *context,
                                  const std::string &directory,
                                  const ModelImportOptions &options,
                                  std::string &error);

} // namespace mlir::mamba

#endif // MAMBA_IMPORT_MODELIMPORTER_H
