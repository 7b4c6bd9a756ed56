//===- Passes.td - mamba ops to kernels on buffers ---------*- tablegen -*-===//
//
// The conversion from tensor-level mamba ops to tiled kernels: each pass
// rewrites one op into explicit block and thread loops (scf.forall) on
// buffers, with its tile sizes as options (defaults: TilingDefaults.h).
// What follows is target code generation (Codegen/GPU).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_TD
#define MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MambaTileSelectiveScan : Pass<"mamba-tile-selective-scan"> {
  let summary = "Tile mamba.selective_scan into GPU block and thread loops over buffers";
  let description = [{
    Rewrites every tensor-level `mamba.selective_scan` into explicit tiled
    loops on buffers (the scan's operands are taken with
    `bufferization.to_buffer`, its results allocated):

    - an `scf.forall` over (channel block, batch) mapped to GPU blocks;
    - inside it an `scf.forall` over the block's threads mapped to GPU
      threads: `channels-per-block` channels, each run by
      `N / states-per-thread` consecutive threads that own
      `states-per-thread` states each in a `vector<S x f32>`;
    - per thread, an `scf.for` over chunks of `chunk-length` timesteps that
      carries the state, with the chunk's timesteps unrolled.

    Everything between the loads and the store is fused: time-step bias,
    softplus, `exp(dt * A)` (as `exp2(dt * A * log2 e)`), the state update,
    the C reduction (across the channel's threads with shuffles when a
    channel has several), the D skip and the SiLU(z) gate. When a channel
    has several threads and their count divides the chunk length, each
    thread does the per-timestep work (softplus, dt * u, D skip, gate, y
    write) for its own slice of the chunk's timesteps and passes dt and
    dt * u to the others with shuffles. 16-bit activations use the
    hardware's approximate exp2, log2 and tanh (PTX `tanh.approx.f32`, as
    `llvm.inline_asm`) for softplus and SiLU. The chunk of B and
    of C that the block reads is a `memref.subview` marked `mamba.promote`
    for `mamba-promote-scan-operands`. The loop nest carries the tiling as
    `mamba.tiling`. A `tiling` attribute on the op overrides the options.
    Threads past the last channel compute a clamped channel (their
    duplicate writes store the last channel's values again), so every thread
    reaches the barriers added later; positions past the sequence end get
    `dt = 0`, which leaves the state exactly unchanged.

    With `sequence-splits` Q > 1 there are two kernels: the first scans the
    first Q - 1 segments of the sequence from a zero state and writes each
    segment's end state and sum of dt to scratch buffers; the second starts
    each of the Q segments from `h = exp(A * sum dt) * h + h_end` folded over
    the segments before it, scans it and writes y (and the final state from
    the last non-empty segment).
  }];
  let options = [
    Option<"channelsPerBlock", "channels-per-block", "int64_t",
           /*default=*/"tiling::kScanChannelsPerBlock",
           "Channels of one batch element run by one GPU block">,
    Option<"statesPerThread", "states-per-thread", "int64_t",
           /*default=*/"tiling::kScanStatesPerThread",
           "States each thread owns in registers (0: all N states)">,
    Option<"chunkLength", "chunk-length", "int64_t",
           /*default=*/"tiling::kScanChunkLength",
           "Timesteps per chunk staged in shared memory">,
    Option<"sequenceSplits", "sequence-splits", "int64_t",
           /*default=*/"tiling::kScanSequenceSplits",
           "Segments of the sequence run by different blocks (1: none)">,
    ListOption<"tunedTilings", "tuned", "std::string",
               "Tilings chosen per scan signature (mamba-tune's database, "
               "through mamba-compile --tuning-db), each "
               "D:N:G:TYPE=CHANNELS:STATES:CHUNK:SPLITS; they take the "
               "options' place for scans of that signature">,
    ListOption<"tunedSplitTilings", "tuned-split", "std::string",
               "Tilings per signature, as `tuned`, for the scans of a "
               "model's split-sequence variants (marked mamba.split_variant "
               "by mamba-outline-kernels); they replace those scans' own "
               "default split tiling">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSelectiveScanCpu : Pass<"mamba-tile-selective-scan-cpu"> {
  let summary = "Tile mamba.selective_scan for the host CPU: vectors over channels";
  let description = [{
    The CPU form of `mamba-tile-selective-scan`: a block (one call of the
    host kernel, one thread) per `channels-per-block` channels of a batch
    element, the block's channels the lanes of `vector<V x f32>` values, so
    that the state update needs no horizontal reduction and B and C are
    scalars shared by every lane. Per chunk of `chunk-length` timesteps:

    - staging, per channel row (contiguous, vectorized along time): dt with
      bias and softplus, dt * u, written transposed to [chunk, V] scratch;
    - the recurrence, states outer and the chunk's timesteps inner (a loop
      unrolled by 8), so a state vector stays in a register for the whole
      chunk and the
      per-timestep `exp(dt * A)` calls are independent of each other;
      y accumulates over the states in [chunk, V] scratch;
    - per channel row, y read back along time, the D skip and the SiLU(z)
      gate, one row store.

    A whole chunk uses plain vector loads and stores; the last, shorter one
    masked ones and B and C columns clamped into the sequence.

    Every scratch buffer is a stack allocation of the block. Channels past
    the last one compute a clamped channel and write nothing; positions
    past the sequence end get dt = 0, which keeps the state exactly. With
    G > 1 groups V must divide d / G. A `tiling` attribute on the op
    overrides the options; its `states_per_thread` must be N and its
    `sequence_splits` 1 (the CPU has enough blocks without splitting).
  }];
  let options = [
    Option<"channelsPerBlock", "channels-per-block", "int64_t",
           /*default=*/"tiling::kCpuScanChannelsPerBlock",
           "Channels of one batch element per block: the vector lanes">,
    Option<"chunkLength", "chunk-length", "int64_t",
           /*default=*/"tiling::kCpuScanChunkLength",
           "Timesteps per chunk (staged together)">,
    ListOption<"tunedTilings", "tuned", "std::string",
               "Tilings chosen per scan signature, as for "
               "mamba-tile-selective-scan (STATES and SPLITS must be N "
               "and 1)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileRmsNorm : Pass<"mamba-tile-rms-norm"> {
  let summary = "Tile mamba.rms_norm into one GPU kernel on buffers, a block per row";
  let description = [{
    Rewrites every tensor-level `mamba.rms_norm` (rank 1 to 3) into a block
    and thread loop nest on buffers: one block per row (the row dimensions
    are the grid's x and y), whose threads stride over the features. The
    first pass over the row adds the residual, writes `residual_out` and
    sums the squares; the sum goes through warp shuffles and one partial per
    warp in shared memory, after a barrier every thread adds the partials;
    the second pass writes `r * rsqrt(mean + eps) * weight`, reading `r`
    back from `residual_out` when there is one (so that buffer may be the
    residual's own: an in-place residual stream). All math is f32. A row is
    a chain of dependent memory latencies per thread, which decoding (one
    row per sequence, one block on one SM) waits out in full; so by default
    a block of rank-1 or rank-2 rows has a thread per two features and each
    pass is two or three loads deep. Rank-3 rows ([b, L, D], prefill) are
    many blocks, limited by how many fit on an SM at once, so they get a
    thread per eight features: smaller blocks, more of them resident. When
    a static row gives each thread at most eight columns, the loop is
    unrolled and the second pass normalizes the values the first kept in
    registers (the weight is read before the reduction), so the row is read
    once; stores of columns past the row's end (clamped loads) are skipped.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"tiling::kRmsNormThreadsPerBlock",
           "Threads per row (a multiple of 32; 0: one per two features of a "
           "static row, one per eight for rank-3 rows, 32 to 1024; 256 for "
           "a dynamic row)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileCausalConv1d : Pass<"mamba-tile-causal-conv1d"> {
  let summary = "Tile mamba.causal_conv1d into one GPU kernel on buffers";
  let description = [{
    Rewrites every tensor-level `mamba.causal_conv1d` into a block and
    thread loop nest on buffers: a block per (`threads-per-block` 16-byte
    vectors of timesteps, channel, batch element), a thread per vector
    computing each output's K taps (unrolled, reads before the sequence
    start are zeros), the bias and the activation in f32, with one vector
    load and store where the row length is a multiple of the vector and
    guarded scalar accesses where it is not. With a `final_state` result,
    the first K threads of each row's first block write its last K inputs.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"tiling::kCausalConv1dThreadsPerBlock",
           "Threads per block, each taking 16 bytes of timesteps">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileCausalConv1dCpu : Pass<"mamba-tile-causal-conv1d-cpu"> {
  let summary = "Tile mamba.causal_conv1d for the host CPU: vectors along time";
  let description = [{
    The CPU form of `mamba-tile-causal-conv1d`: a block (one call of the
    host kernel) per (batch, channel) row, its outputs in vectors of
    `timesteps-per-vector` consecutive timesteps. A vector whose window
    lies inside the row is K unaligned vector loads of x, K FMAs with the
    broadcast taps, the bias, the optional SiLU, one vector store; a vector
    whose window crosses the row's start or end loads each input guarded
    (zero outside the row) and stores each output guarded. Weights and bias
    are read in f32 whatever their stored type; the final window, when the
    op returns it, is the last K inputs of the row, zero-padded on the left.
  }];
  let options = [
    Option<"timestepsPerVector", "timesteps-per-vector", "int64_t",
           /*default=*/"tiling::kCpuConvTimestepsPerVector",
           "Consecutive outputs computed as one vector">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileArgmax : Pass<"mamba-tile-argmax"> {
  let summary = "Tile mamba.argmax into one GPU kernel on buffers, a block per row";
  let description = [{
    Rewrites every tensor-level `mamba.argmax` into a reduction kernel: one
    block per row (leading dimensions of rank up to 2 on the grid's x and
    y). Each thread keeps the best (value, index) of its elements, read in
    16-byte vectors with 32 elements in flight per loop trip; warps combine
    theirs with shuffles and the warps' results meet in shared memory. Ties
    go to the lower index and NaN is larger than every number, as
    `torch.argmax`.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"tiling::kArgmaxThreadsPerBlock",
           "Threads per row (a multiple of 32, at most 1024)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileEmbedding : Pass<"mamba-tile-embedding"> {
  let summary = "Tile mamba.embedding into one GPU kernel on buffers, a block per token";
  let description = [{
    Rewrites every tensor-level `mamba.embedding` into a gather kernel: one
    block per token (ids of rank 1 or 2 on the grid's x and y) whose
    threads copy the table row. Ids are clamped into the table, so an id the
    runtime failed to reject cannot read outside it.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"tiling::kEmbeddingThreadsPerBlock",
           "Threads per token (1 for the CPU target, else 32 to 1024)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileDecodeSteps : Pass<"mamba-tile-decode-steps"> {
  let summary = "Tile mamba.conv_state_update and mamba.selective_state_update into GPU kernels";
  let description = [{
    Rewrites the one-token decode ops into kernels on buffers.
    `conv_state_update`: a thread per (batch, channel) shifts the window,
    appends x, convolves and activates. `selective_state_update`: each
    channel's N states are split into vectors of up to 16 states, one per
    thread (N / 16 threads per channel reduce y with shuffles); a thread
    does the softplus, `exp(dt * A)`, the state update, its part of
    `sum C h`, and the D skip and SiLU(z) gate. Every thread reads its
    states before writing them, so state and new state may be one buffer.
    With one thread per block (the CPU target's) a block is one channel of
    one batch element and its thread holds all N states.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"tiling::kDecodeStepThreadsPerBlock",
           "Threads per block (1 for the CPU target, else 32 to 1024)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSelectiveStep : Pass<"mamba-tile-selective-step"> {
  let summary = "Tile mamba.selective_step (the fused decode step) into two GPU kernels";
  let description = [{
    Rewrites each `mamba.selective_step` into two kernels on buffers with
    two scratch buffers between them. Kernel 1 (a block of 128 threads per
    128 channels of a sequence): the conv window update and SiLU per
    channel, then the block's partial sums of every x_proj output row over
    its channels (split-K, one partial per block). Kernel 2 (the state
    split of `mamba-tile-decode-steps`): adds the partials in a fixed order
    into `[dt_r | B | C]` in shared memory, then per channel dt_proj,
    softplus, the state update, the D skip and the SiLU(z) gate. Needs
    static E, N, R and K; the batch may be dynamic.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSelectiveStepCpu : Pass<"mamba-tile-selective-step-cpu"> {
  let summary = "Tile mamba.selective_step into two host kernels (the CPU target)";
  let description = [{
    The CPU form of `mamba-tile-selective-step`: the same two kernels and
    scratch buffers, a block of one thread per 64 channels of a sequence.
    Kernel 1: per channel the conv window update and SiLU, then the block's
    partial sums of every x_proj output row over its channels (weights in
    vectors that divide E). Kernel 2: the partials added in a fixed order
    into `[dt_r | B | C]` (a stack buffer per block), then per channel
    dt_proj, softplus, the state update (all N states a vector), the D skip
    and the SiLU(z) gate. Needs static E, N, R and K.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSsdCpu : Pass<"mamba-tile-ssd-cpu"> {
  let summary = "Tile mamba.ssd_scan and mamba.ssd_state_update into host kernels (the CPU target)";
  let description = [{
    The Mamba-2 SSD scan as the per-step recurrence on the host: a block of
    one thread per (head, sequence) keeps the head's state in a stack
    buffer as N rows of its P channels, and per position prepares dt (bias,
    softplus, the clamps); per state n it decays the row with the head's
    scalar exp(dt A), adds (dt x) B_n and accumulates y += row C_n, the P
    channels as one vector; then the D skip and the SiLU(z) gate; seq_idx
    zeroes the state where it changes. The
    chunked algorithm (matrix products within a chunk) is the GPU's; here
    the recurrence does the fewest operations. The decode step is one
    position of the same on the step's state buffers. Needs static H, P, G
    and N.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileRmsNormGated : Pass<"mamba-tile-rms-norm-gated"> {
  let summary = "Tile mamba.rms_norm_gated into one GPU kernel, a block per (row, group)";
  let description = [{
    A block per (row, group of `group_size` features; the rows are the
    grid's y and z, the groups its x) whose threads stride over the group:
    the first pass sums the squares of `x * silu(z)`, which go through warp
    shuffles and one partial per warp in shared memory; after the barrier
    the second pass gates again and writes it times the group's
    `1 / sqrt(mean + eps)` and the weight. All math is f32. Rows are
    `[rows, F]` or `[b, L, F]`.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"0",
           "Threads per block: 0 picks about four features a thread, in "
           "whole warps (32 to 1024)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def MambaTileSsdChunked : Pass<"mamba-tile-ssd-chunked"> {
  let summary = "Tile 16-bit mamba.ssd_scan into one GPU kernel of chunked "
                "tensor-core products";
  let description = [{
    The SSD algorithm in one launch: a block per (batch, head, block of
    channels) walks the sequence a chunk of `chunk` positions at a time,
    its state [channels, N] in mma accumulators (a warp per 16 channels).
    Per chunk it stages B, C and x in shared memory, forms C B^T masked by
    the decay within the chunk (G), and gets y^T = exp(cum) S C^T + x^T G^T
    and the next state exp(cum_end) S + (x w)^T B as `nvgpu.mma.sync`
    m16n8k16 products (f32 sums). x, B and C must be all bf16 or all f16,
    H, P, G and N static, P and N multiples of 16, N at most 256; other
    scans are left for `mamba-tile-ssd-scan`. The op's `chunk_size` does
    not bind the kernel: the result does not depend on it beyond rounding.
    Needs sm_80 or later.

    `tuned` (mamba-tune's database, through mamba-compile) chooses per
    signature: a scan whose H, P, N, G and x type have an entry takes that
    entry's kernel, the per-step one (left alone) or this one with the
    entry's sizes, which must fit it; the others are tiled with `chunk` and
    `channel-block` when `untuned` is set, else left alone.
  }];
  let options = [
    Option<"chunk", "chunk", "int64_t", /*default=*/"0",
           "Positions per chunk: a multiple of 16 up to 128 (0: the largest "
           "of 64, 32, 16 whose buffers fit 48 KiB of shared memory)">,
    Option<"channelBlock", "channel-block", "int64_t", /*default=*/"0",
           "Channels of a head per block, a multiple of 16 dividing P, a "
           "warp per 16 (0: the largest up to 64 that divides P)">,
    ListOption<"tunedSsds", "tuned", "std::string",
               "Kernels chosen per SSD signature (mamba-tune's database, "
               "through mamba-compile --tuning-db), each "
               "H:P:N:G:TYPE=TC:CHUNK:BLOCK: TC 0 leaves the scan for the "
               "per-step kernel, 1 tiles it with that chunk and channel "
               "block in place of the options">,
    Option<"untuned", "untuned", "bool", /*default=*/"true",
           "Tile the scans that have no `tuned` entry, with `chunk` and "
           "`channel-block` (false: leave them for the per-step kernel)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSsdScan : Pass<"mamba-tile-ssd-scan"> {
  let summary = "Tile mamba.ssd_scan into one GPU kernel: the per-step recurrence";
  let description = [{
    The decode step's layout (`mamba-tile-ssd-step`: a head's channel
    spreads its N states over a few lanes of a warp, S states a lane, in
    registers) walking the sequence: per position the state advances, y is
    summed across the channel's lanes, gets `D x` and the gate, and lane 0
    writes it. Initial states are read once, final states written once;
    where `seq_idx` changes the state restarts at zero. The recurrence form,
    the baseline for the chunked tensor-core kernel; `chunk_size` does not
    change it. H, P, G and N must be static.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"128",
           "Threads per block (about; whole channels), 32 to 1024">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileSsdStep : Pass<"mamba-tile-ssd-step"> {
  let summary = "Tile mamba.ssd_state_update (Mamba-2's decode step) into one GPU kernel";
  let description = [{
    As `mamba-tile-decode-steps` does Mamba-1's state update: a channel (a
    head's channel, H x P of them) spreads its N states over a few lanes of
    a warp (S states a lane, in registers), advances them by one token and
    sums `y = state . C` across its lanes by shuffles; dt, its bias, A and D
    are the head's, B and C its group's. The sizes H, P, G and N must be
    static.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"128",
           "Threads per block (about; whole channels), 32 to 1024">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTileRmsNormGatedCpu : Pass<"mamba-tile-rms-norm-gated-cpu"> {
  let summary = "Tile mamba.rms_norm_gated into a host kernel (the CPU target)";
  let description = [{
    A block of one thread per (row, group of features) gates the group,
    x * silu(z), into a stack buffer while summing its squares, then writes
    it times the group's 1 / sqrt(mean + eps) and the weight, in vectors of
    the widest of 16, 8, 4, 2 or 1 features that divides the group. Rows are
    `[rows, F]` or `[b, L, F]`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // MAMBA_CONVERSION_MAMBATOKERNELS_PASSES_TD
