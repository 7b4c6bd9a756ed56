//===- Passes.td - GPU code generation passes -------------*- tablegen -*-===//
//
// What the tiled kernels need on their way to NVVM: shared-memory staging,
// the mapping of block and thread loops to gpu.launch, the kernels' code
// generation options, and vector transfers as plain loads and stores.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CODEGEN_GPU_PASSES_TD
#define MAMBA_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MambaPromoteScanOperands : Pass<"mamba-promote-scan-operands"> {
  let summary = "Stage the tiles every thread of a block reads in shared memory";
  let description = [{
    Each `memref.subview` marked `mamba.promote` (by
    `mamba-tile-selective-scan`: the chunk of B and of C a GPU block reads)
    gets a buffer in workgroup memory, allocated once per block. Where the
    subview is taken, a `gpu.barrier` is placed (no thread still reads the
    previous chunk), the tile is copied with the copy spread over the block's
    threads (consecutive threads read consecutive columns: coalesced), and a
    second `gpu.barrier` makes it visible; the tiles of one chunk share the
    two barriers. The buffer is transposed (`[cols][rows]`) so that a read
    along the rows, one thread's states, is contiguous; when every read is
    widened to f32 at once, the buffer holds f32 and the widening happens
    once in the copy instead of in every thread. Positions past a short tail
    tile are zero. The subview's reads (1-D `vector.transfer_read`) are
    redirected to the buffer.

    Input tiles taken in a normalized `scf.for` body (the chunk loop) are
    double-buffered when `double-buffer` is set: chunk 0 is staged before the
    loop, and each iteration loads the next chunk into registers right after
    its one barrier and stores it into the other buffer after the body, so
    the loads are in flight while the chunk is computed. Tiles copied as
    they are (no widening, no transposition) move in 16-byte vectors when a
    tile is full and aligned; with `async-copy` those go through cp.async
    (`nvgpu.device_async_copy`, waited for before the barrier) and hold no
    registers. An output tile (only written, with 1-D
    `vector.transfer_write`) gets a buffer too: the writes go there, and
    after the last one a barrier and a copy to global memory spread over the
    threads store the tile's valid part with coalesced accesses.
  }];
  let options = [
    Option<"doubleBuffer", "double-buffer", "bool", /*default=*/"true",
           "Overlap the next chunk's loads with this chunk's compute">,
    Option<"asyncCopy", "async-copy", "bool", /*default=*/"false",
           "Move double-buffered tiles that need no conversion with cp.async "
           "(nvgpu.device_async_copy; sm_80 and newer)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaMapForallToGpu : Pass<"mamba-map-forall-to-gpu"> {
  let summary = "Turn block/thread scf.forall nests into gpu.launch";
  let description = [{
    Each `scf.forall` mapped to `#gpu.block<...>` whose body holds one
    `scf.forall` mapped to `#gpu.thread<...>` becomes a `gpu.launch`: the
    grid is the block loop's trip counts, the block size the thread loop's
    (static) trip counts, and the induction variables become block and thread
    ids. The ops around the thread loop run in every thread (they are
    block-uniform index computations). A `memref.alloc` in workgroup memory
    inside the nest becomes a private `memref.global` in workgroup memory,
    with the alloc's alignment (16 bytes by default), read with
    `memref.get_global`: shared memory must be declared with the kernel (an
    alloc there would lower to a call to malloc), and vector loads from it
    need the alignment, which launch attributions do not carry. Loops must be normalized (lower bound 0, step 1) and
    have no shared outputs.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def MambaSetKernelCodegenOptions : Pass<"mamba-set-kernel-codegen-options"> {
  let summary = "Set the register cap and the denormal mode of GPU functions";
  let description = [{
    With `max-registers` N (not 0), sets `nvvm.maxnreg` (PTX `.maxnreg`) on
    every `gpu.func` kernel, so that ptxas allocates at most N registers per
    thread. Without a cap ptxas may take up to 255 for an unrolled scan and
    leave too few blocks per SM to hide memory latency; the cap is a tuning
    parameter like the tile sizes.

    With `flush-denormals`, every `gpu.func` gets `denormal_fp_math_f32 =
    "preserve-sign,preserve-sign"`, which the NVVM lowering carries to LLVM:
    f32 denormals are flushed to zero; and every `gpu.module` gets the
    `nvvm-reflect-ftz` module flag, which makes libdevice (through which
    `math.exp2` is lowered) pick `ex2.approx.ftz.f32`: one MUFU.EX2 instead
    of a range check, a scale, the MUFU.EX2 and a fix-up.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect"
  ];
  let options = [
    Option<"maxRegisters", "max-registers", "int64_t", /*default=*/"0",
           "Registers per thread (24 to 255; 0: no cap)">,
    Option<"flushDenormals", "flush-denormals", "bool", /*default=*/"false",
           "Flush f32 denormals to zero (ftz) in GPU functions">
  ];
}

def MambaLowerVectorTransfers : Pass<"mamba-lower-vector-transfers"> {
  let summary = "Lower 1-D vector transfers to vector loads and stores";
  let description = [{
    Rewrites 1-D `vector.transfer_read`/`transfer_write` whose permutation
    map is a minor identity (after folding transposes) into `vector.load` /
    `vector.store`, or their masked forms (lanes below the number of
    elements left in the dimension) when a transfer may run out of bounds. The LLVM conversion handles only those forms, and upstream
    exposes these patterns in no pass of its own. Strided transfers (along
    a non-innermost dimension) are left to `convert-vector-to-scf`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaLowerBf16MmaSync : Pass<"mamba-lower-bf16-mma-sync"> {
  let summary = "Lower bf16 nvgpu.mma.sync to nvvm.mma.sync";
  let description = [{
    `convert-nvgpu-to-nvvm` lowers `nvgpu.mma.sync` for f16, tf32, f64 and
    integers but not bf16. This pass rewrites bf16 m16n8k16 products with
    f32 sums into `nvvm.mma.sync` with bf16 multiplicands: each row of the A
    and B fragments (two bf16) packed into an i32 as PTX wants, the four
    sums extracted from the result struct. Run it before
    `convert-nvgpu-to-nvvm`; other shapes with bf16 operands are an error.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // MAMBA_CODEGEN_GPU_PASSES_TD
