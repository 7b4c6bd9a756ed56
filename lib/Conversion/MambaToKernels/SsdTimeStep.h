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

/// The GPU kernels' sizes (H, P, G, N) must be static: a channel's states
/// are registers and its head and group are computed from them.
inline LogicalResult checkGpuSsdSizes(Operation *op, int64_t H, int64_t P,
                                      int64_t G, int64_t N) {
  if (!ShapedType::isDynamic(H) && !ShapedType::isDynamic(P) &&
      !ShapedType::isDynamic(G) && !ShapedType::isDynamic(N))
    return success();
  return op->emitOpError() << "needs static heads, head dimension, groups "
                              "and state size on the GPU (states live in "
                              "registers)";
}

/// A GPU thread's place in the SSD kernels' layout (a head's channel
/// spreads its N states over `lanes` lanes of S states): block `block` holds
/// `channelsPerBlock` channels of the H x P; the thread's channel (clamped
/// to the last one, `active` when it is real) is channel p of head h, whose
/// B and C are group `group`'s; its states start at `first`.
struct HeadChannel {
  Value h, p, group, lane, first, active;
};

inline HeadChannel locateHeadChannel(ImplicitLocOpBuilder &b, Value block,
                                     Value thread, int64_t H, int64_t P,
                                     int64_t G, int64_t lanes, int64_t S,
                                     int64_t channelsPerBlock) {
  Value channel = arith::AddIOp::create(
      b, arith::MulIOp::create(b, block, indexConstant(b, channelsPerBlock)),
      arith::DivUIOp::create(b, thread, indexConstant(b, lanes)));
  auto [c, active] = clampedChannel(b, channel, indexConstant(b, H * P));
  HeadChannel out;
  out.active = active;
  out.h = arith::DivUIOp::create(b, c, indexConstant(b, P));
  out.p = arith::RemUIOp::create(b, c, indexConstant(b, P));
  out.group = arith::DivUIOp::create(b, out.h, indexConstant(b, H / G));
  out.lane = arith::RemUIOp::create(b, thread, indexConstant(b, lanes));
  out.first = arith::MulIOp::create(b, out.lane, indexConstant(b, S));
  return out;
}

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDTIMESTEP_H
