// GPU test case scan_bf16_unfused: the time step, the D skip and the SiLU
// gate written as separate elementwise ops around a bare scan, as a model
// exported op by op would have them. mamba-fuse-scan-elementwise (in the
// GPU pipeline) folds them into the one scan kernel; MambaGpuTests checks
// the result against the reference of the fused op on the shapes in
// scan_bf16_unfused.case.json.
#full = affine_map<(b, d, l) -> (b, d, l)>
#chan = affine_map<(b, d, l) -> (d)>
func.func @scan(%u: tensor<?x64x?xbf16>, %x: tensor<?x64x?xbf16>, %A: tensor<64x16xf32>, %B: tensor<?x1x16x?xbf16>, %C: tensor<?x1x16x?xbf16>, %D: tensor<64xf32>, %z: tensor<?x64x?xbf16>, %bias: tensor<64xf32>) -> tensor<?x64x?xbf16> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %u, %c0 : tensor<?x64x?xbf16>
  %l = tensor.dim %u, %c2 : tensor<?x64x?xbf16>
  %e = tensor.empty(%b, %l) : tensor<?x64x?xbf16>
  %dt = linalg.generic {indexing_maps = [#full, #chan, #full], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<?x64x?xbf16>, tensor<64xf32>) outs(%e : tensor<?x64x?xbf16>) {
  ^bb0(%xv: bf16, %bv: f32, %o: bf16):
    %xf = arith.extf %xv : bf16 to f32
    %s = arith.addf %xf, %bv : f32
    %ex = math.exp %s : f32
    %sp = math.log1p %ex : f32
    %t = arith.truncf %sp : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x64x?xbf16>
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      {tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16>}
      : (tensor<?x64x?xbf16>, tensor<?x64x?xbf16>, tensor<64x16xf32>, tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>) -> tensor<?x64x?xbf16>
  %skip = linalg.generic {indexing_maps = [#full, #chan, #full, #full], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y, %D, %u : tensor<?x64x?xbf16>, tensor<64xf32>, tensor<?x64x?xbf16>) outs(%e : tensor<?x64x?xbf16>) {
  ^bb0(%yv: bf16, %dv: f32, %uv: bf16, %o: bf16):
    %yf = arith.extf %yv : bf16 to f32
    %uf = arith.extf %uv : bf16 to f32
    %p = arith.mulf %dv, %uf : f32
    %s = arith.addf %yf, %p : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x64x?xbf16>
  %gated = linalg.generic {indexing_maps = [#full, #full, #full], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%skip, %z : tensor<?x64x?xbf16>, tensor<?x64x?xbf16>) outs(%e : tensor<?x64x?xbf16>) {
  ^bb0(%yv: bf16, %zv: bf16, %o: bf16):
    %yf = arith.extf %yv : bf16 to f32
    %zf = arith.extf %zv : bf16 to f32
    %n = arith.negf %zf : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %silu = arith.divf %zf, %den : f32
    %g = arith.mulf %yf, %silu : f32
    %t = arith.truncf %g : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x64x?xbf16>
  return %gated : tensor<?x64x?xbf16>
}
