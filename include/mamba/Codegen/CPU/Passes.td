//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
//
// What the outlined kernels need on their way to host machine code, beyond
// MLIR's own lowerings to LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_CODEGEN_CPU_PASSES_TD
#define MAMBA_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MambaApproximateMath : Pass<"mamba-approximate-math"> {
  let summary = "Replace f32 transcendental functions by vector polynomials";
  let description = [{
    LLVM lowers `math.exp`, `math.log1p` and the like to libm calls, one
    per vector lane: an 8-lane exp is eight `expf` calls, most of a CPU
    scan's time. This pass rewrites them into arithmetic that stays in
    vectors:

    - `math.exp2` on f32 (the scan's decay, SiLU and the 16-bit softplus):
      `2^x = 2^n * p(x - n)` with `n = roundeven(x)` and `p` a degree-5
      polynomial with `p(0) = 1` exactly (relative error under 2e-7, about
      3 ulp; exp2(0) = 1 keeps a state exactly where dt = 0), `2^n` built
      in the exponent bits. `x` below -127 gives 0, above 128 infinity; a
      NaN stays NaN.
    - `log1p(exp(x))` on f32 (the softplus of the scan's dt):
      `max(x, 0) + e * q(e)` with `e = exp2(-|x| log2 e)` in (0, 1] and `q`
      a degree-8 polynomial (relative error 2e-7), no range reduction and
      no division;
    - every other function MLIR has a polynomial for (exp, log, log1p,
      log2, tanh, erf, ...), through MLIR's math approximations, 16-bit
      operands widened to f32 first.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def MambaTruncateToBf16 : Pass<"mamba-truncate-to-bf16"> {
  let summary = "Round f32 to bf16 in integer arithmetic that stays vectorized";
  let description = [{
    Rewrites `arith.truncf` from f32 to bf16 (scalars and vectors) into
    round to nearest even on the f32 bits: add 0x7FFF plus the lowest kept
    bit, keep the high 16 bits. A NaN keeps its sign and payload with the
    quiet bit set (0x7FC0 for the default NaN), as the hardware
    conversions do, instead of rounding into an infinity.

    MLIR's `arith-expand` does the same rounding but picks the NaN result
    with a select on i16, which LLVM's InstCombine turns into a select on
    bf16 vectors; x86 without AVX-512 BF16 has no bf16 vector type, so the
    backend split every such select into a compare and a branchless move
    per element (a quarter of a bf16 scan's time). Here the select is on
    the i32 bits, before the narrowing.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // MAMBA_CODEGEN_CPU_PASSES_TD
