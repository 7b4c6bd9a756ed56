//===- MambaDialect.cpp - the mamba dialect -------------------------------===//

#include "mamba/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::mamba;

#include "mamba/Dialect/Mamba/IR/MambaDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mamba/Dialect/Mamba/IR/MambaAttrs.cpp.inc"

LogicalResult
ScanTilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       int64_t channelsPerBlock, int64_t statesPerThread,
                       int64_t chunkLength, int64_t sequenceSplits) {
  if (channelsPerBlock < 1 || statesPerThread < 1 || chunkLength < 1 ||
      sequenceSplits < 1)
    return emitError() << "expects positive tile sizes, but got "
                          "channels_per_block = "
                       << channelsPerBlock
                       << ", states_per_thread = " << statesPerThread
                       << ", chunk_length = " << chunkLength
                       << ", sequence_splits = " << sequenceSplits;
  return success();
}

LogicalResult
SsdKernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      int64_t tensorCores, int64_t chunk,
                      int64_t channelBlock) {
  if (tensorCores != 0 && tensorCores != 1)
    return emitError() << "expects tensor_cores 0 (the per-step kernel) or 1 "
                          "(the chunked one), but got "
                       << tensorCores;
  if (!tensorCores && (chunk || channelBlock))
    return emitError() << "the per-step kernel (tensor_cores = 0) takes no "
                          "sizes, but got chunk = "
                       << chunk << ", channel_block = " << channelBlock;
  if (chunk < 0 || chunk % 16 || chunk > 128)
    return emitError() << "expects chunk 0 (the kernel's choice) or a "
                          "multiple of 16 up to 128, but got "
                       << chunk;
  if (channelBlock < 0 || channelBlock % 16)
    return emitError() << "expects channel_block 0 (the kernel's choice) or "
                          "a multiple of 16, but got "
                       << channelBlock;
  return success();
}

void MambaDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mamba/Dialect/Mamba/IR/MambaAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "mamba/Dialect/Mamba/IR/MambaOps.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.cpp.inc"
      >();
}
