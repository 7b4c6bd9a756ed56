//===- SsdTimeStep.h - The SSD's time step as its kernels prepare it -*- C++
//-*-===//
//
// Internal to the SSD tilings (TileSsdCpu.cpp, TileSsdStep.cpp,
// TileSsdScan.cpp): one (position, head)'s dt and a channel's output after
// the state, the same for the scan and the decode step on every target.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDTIMESTEP_H
#define MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDTIMESTEP_H

#include "mamba/Conversion/Utils/KernelNest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::mamba {

/// dt of one (position, head) as the op prepares it: + dt_bias, softplus,
/// the clamps.
template <typename SsdOp>
inline Value emitStep(ImplicitLocOpBuilder &b, SsdOp op, Value raw, Value bias,
                      bool precise) {
  Value step = toF32(b, raw);
  if (bias)
    step = arith::AddFOp::create(b, step, bias);
  if (op.getDtSoftplus())
    step = emitSoftplus(b, step, precise);
  if (std::optional<APFloat> low = op.getDtMin())
    step = arith::MaximumFOp::create(b, step,
                                     f32Constant(b, low->convertToDouble()));
  if (std::optional<APFloat> high = op.getDtMax())
    step = arith::MinimumFOp::create(b, step,
                                     f32Constant(b, high->convertToDouble()));
  return step;
}

/// y + D x (D per head [H], or per head and channel [H, P]), then times
/// silu(z) when `gate` (z in f32) is given.
inline Value emitSkipAndGate(ImplicitLocOpBuilder &b, Value out, Value x,
                             Value D, Value h, Value p, Value gate) {
  if (D) {
    Value skip = cast<MemRefType>(D.getType()).getRank() == 2
                     ? memref::LoadOp::create(b, D, ValueRange{h, p})
                     : memref::LoadOp::create(b, D, ValueRange{h});
    out = math::FmaOp::create(b, skip, x, out);
  }
  return gate ? arith::MulFOp::create(b, out, emitSilu(b, gate)) : out;
}

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDTIMESTEP_H
