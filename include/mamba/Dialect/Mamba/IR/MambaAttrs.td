//===- MambaAttrs.td - attributes of the mamba dialect ----*- tablegen -*-===//
//
// Code generation decisions live on the IR as attributes, so a tuner can set
// them and every later pass reads the same decision.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBAATTRS_TD
#define MAMBA_DIALECT_MAMBA_IR_MAMBAATTRS_TD

include "mamba/Dialect/Mamba/IR/MambaDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Mamba_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Mamba_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Mamba_ScanTilingAttr : Mamba_Attr<"ScanTiling", "scan_tiling"> {
  let summary = "how a selective scan is split over GPU blocks and threads";
  let description = [{
    Each GPU block runs `channels_per_block` channels of one batch element;
    each channel is run by `N / states_per_thread` threads, each owning
    `states_per_thread` states in registers; the sequence is walked in chunks
    of `chunk_length` timesteps, whose B and C slices are staged in shared
    memory once for the whole block. With `sequence_splits` Q > 1 the
    sequence is cut into Q segments of whole chunks run by different blocks
    (for batches too small to fill the GPU): a first pass finds each
    segment's end state from zero, a second scans each segment from the
    state carried over the ones before it. Q is printed only when not 1.

    ```mlir
    #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 16,
                       chunk_length = 16>
    #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 4,
                       chunk_length = 16, sequence_splits = 8>
    ```
  }];
  let parameters = (ins
    "int64_t":$channels_per_block,
    "int64_t":$states_per_thread,
    "int64_t":$chunk_length,
    DefaultValuedParameter<"int64_t", "1">:$sequence_splits
  );
  let assemblyFormat = [{
    `<` `channels_per_block` `=` $channels_per_block `,`
        `states_per_thread` `=` $states_per_thread `,`
        `chunk_length` `=` $chunk_length
        (`,` `sequence_splits` `=` $sequence_splits^)? `>`
  }];
  let genVerifyDecl = 1;
}

def Mamba_SsdKernelAttr : Mamba_Attr<"SsdKernel", "ssd_kernel"> {
  let summary = "which GPU kernel runs an SSD scan, and its sizes";
  let description = [{
    `tensor_cores = 0`: the per-step recurrence (`mamba-tile-ssd-scan`;
    chunk and channel_block 0). `tensor_cores = 1`: the chunked
    tensor-core kernel (`mamba-tile-ssd-chunked`, 16-bit scans on sm_80
    and later) with chunks of `chunk` positions and blocks of
    `channel_block` channels (each 0: the kernel's own choice). What
    mamba-tune measured for the scan's signature (its database's
    `ssd_scan` config, the same names); the GPU passes follow it before
    their options and tuned lists, the CPU's (one kernel) ignores it.

    ```mlir
    #mamba.ssd_kernel<tensor_cores = 1, chunk = 64, channel_block = 32>
    ```
  }];
  let parameters = (ins
    "int64_t":$tensor_cores,
    "int64_t":$chunk,
    "int64_t":$channel_block
  );
  let assemblyFormat = [{
    `<` `tensor_cores` `=` $tensor_cores `,` `chunk` `=` $chunk `,`
        `channel_block` `=` $channel_block `>`
  }];
  let genVerifyDecl = 1;
}

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBAATTRS_TD
