//===- KernelNest.h - What the tiling passes share --------------*- C++ -*-===//
//
// Each tiling pass rewrites one tensor-level mamba op into one or more GPU
// kernels written as loop nests on buffers: the op's operands are taken with
// bufferization.to_buffer, its results allocated, and the work placed in an
// scf.forall over blocks (mapped to gpu.block_id) around an scf.forall over
// the block's threads (mapped to gpu.thread_id), which mamba-map-forall-to-gpu
// turns into a gpu.launch. The helpers here build those pieces and the math
// that several kernels compute the same way.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CONVERSION_UTILS_KERNELNEST_H
#define MAMBA_CONVERSION_UTILS_KERNELNEST_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"

namespace mlir::mamba {

constexpr int64_t kWarpSize = 32;

/// `tensor` as a read-only buffer of identity layout; null for null.
Value readOnlyBuffer(ImplicitLocOpBuilder &b, Value tensor);

/// A new buffer shaped like `type`; `sizes` gives every dimension in order
/// (only the dynamic ones are used).
Value allocBuffer(ImplicitLocOpBuilder &b, Type tensorType,
                  ArrayRef<Value> sizes);

/// The sizes of every dimension of `buffer`, as index values.
SmallVector<Value> bufferSizes(ImplicitLocOpBuilder &b, Value buffer);

/// Replaces every result of `op` with a tensor of the matching buffer in
/// `buffers` (the buffers the kernels wrote) and erases `op`.
void replaceWithBuffers(ImplicitLocOpBuilder &b, Operation *op,
                        ArrayRef<Value> buffers);

/// A block loop over `grid` (x, y, z order, at most three sizes) around a
/// loop over `threads` threads; `body` is called with the block indices and
/// the thread index, with the insertion point inside the thread loop.
void emitBlockThreadNest(
    ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> grid, int64_t threads,
    function_ref<void(ValueRange blocks, Value thread)> body);

/// A GPU block's shared array of `shape`, 16-byte aligned (so that vector
/// loads and ldmatrix may read it whole).
Value allocShared(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape,
                  Type element);

/// Conversions to and from the f32 the kernels compute in.
Value toF32(ImplicitLocOpBuilder &b, Value value);
Value fromF32(ImplicitLocOpBuilder &b, Value value, Type elementType);

/// `value` (f32) as an `elementType` buffer would store it, back in f32:
/// where a fused kernel stands for ops that store an intermediate, it
/// rounds the intermediate the same way.
Value roundToStorage(ImplicitLocOpBuilder &b, Value value, Type elementType);

Value indexConstant(ImplicitLocOpBuilder &b, int64_t value);
Value f32Constant(ImplicitLocOpBuilder &b, double value);

/// softplus(x) = log1p(exp(x)), x itself above 20 as torch does; x is an
/// f32 scalar or vector (as is z below). With `precise` false (16-bit
/// activations, whose results keep 8 or 11 bits), log2(1 + exp2(x log2 e))
/// with the hardware's approximate exp2 and log2: relative error about
/// 1e-4 at a tenth of the instructions.
Value emitSoftplus(ImplicitLocOpBuilder &b, Value x, bool precise);

/// silu(z) = z / (1 + exp(-z)) = z * sigmoid(z), with the hardware exp2 and
/// an approximate division (the IEEE one calls a slow-path subroutine).
Value emitSilu(ImplicitLocOpBuilder &b, Value z);

/// The sum of `value` over groups of `width` consecutive lanes of a warp (a
/// power of two, at most 32), left in every lane of the group.
Value emitLaneSum(ImplicitLocOpBuilder &b, Value value, int64_t width);

/// The sum of `value` (f32) over the block's `threads` threads (whole
/// warps), left in every thread: warp shuffles, then one partial per warp
/// through shared memory and a barrier.
Value emitBlockSum(ImplicitLocOpBuilder &b, Value value, Value thread,
                   int64_t threads);

/// Runs `body` only where `condition` holds.
void emitIf(ImplicitLocOpBuilder &b, Value condition,
            function_ref<void()> body);

/// Loops `for (i = first; i < end; i += step)` with `body(i)`.
void emitStridedLoop(ImplicitLocOpBuilder &b, Value first, Value end,
                     Value step, function_ref<void(Value)> body);

/// Loops `for (i = 0; i < count; ++i)` with `body(i)`.
void emitFor(ImplicitLocOpBuilder &b, Value count,
             function_ref<void(Value)> body);

/// `channel` clamped to the last one, so that every thread of a warp takes
/// part in its shuffles, and whether it is a real one.
std::pair<Value, Value> clampedChannel(ImplicitLocOpBuilder &b, Value channel,
                                       Value channels);

/// `size` consecutive elements of `buffer` from `indices` (in bounds) as
/// an f32 vector.
Value readF32Vector(ImplicitLocOpBuilder &b, Value buffer, ValueRange indices,
                    int64_t size);

/// How a one-token state update spreads a channel's N states over threads:
/// vectors of `statesPerThread` (S, up to `maxStatesPerThread`) states,
/// `lanes` = N / S threads per channel (a power of two that fits a warp,
/// reducing y with shuffles; else one thread holds all N),
/// `channelsPerBlock` channels in blocks of `threads` threads (about
/// `threadsPerBlock`).
struct StateSplit {
  int64_t statesPerThread, lanes, channelsPerBlock, threads;
};
StateSplit chooseStateSplit(int64_t N, int64_t threadsPerBlock,
                            int64_t maxStatesPerThread = 16);

/// One token of the recurrence for a vector of S states (all f32):
/// `next = exp(dt * A) * h + dt * u * B`, and this thread's part of
/// `sum_n C * next` (reduce over the channel's lanes for y).
std::pair<Value, Value> emitStateStep(ImplicitLocOpBuilder &b, Value dt,
                                      Value u, Value h, Value a, Value bv,
                                      Value cv);

/// One token of a depthwise causal conv for (`batch`, `channel`): stores
/// the window of `state` shifted left by one with `input` appended into
/// `newState` (reading all of it first, so both may be one buffer), and
/// returns `bias + sum_k window[k] * weight[channel, k]` in f32, before any
/// activation. `bias` may be null.
Value emitConvWindowStep(ImplicitLocOpBuilder &b, Value state, Value input,
                         Value weight, Value bias, Value newState, Value batch,
                         Value channel, int64_t width);

} // namespace mlir::mamba

#endif // MAMBA_CONVERSION_UTILS_KERNELNEST_H
