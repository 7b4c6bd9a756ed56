// RUN: mamba-opt %s -split-input-file -mamba-decompose-mixer | FileCheck %s

// The tiny model's block with every optional bias: checks the whole data flow,
// in particular that x and z come from the first and second halves of
// in_proj's rows (weight and bias), that dt_r, B and C come from x_proj's rows
// in that order, and that the dt_proj bias, D, z and the softplus go into the
// one scan.
// CHECK-LABEL: func @mixer_all_biases
// CHECK-SAME: (%[[H:.*]]: tensor<1x5x64xf32>, %[[WIN:.*]]: tensor<256x64xf32>, %[[BIN:.*]]: tensor<256xf32>, %[[WCONV:.*]]: tensor<128x4xf32>, %[[BCONV:.*]]: tensor<128xf32>, %[[WX:.*]]: tensor<36x128xf32>, %[[WDT:.*]]: tensor<128x4xf32>, %[[BDT:.*]]: tensor<128xf32>, %[[ALOG:.*]]: tensor<128x16xf32>, %[[D:.*]]: tensor<128xf32>, %[[WOUT:.*]]: tensor<64x128xf32>, %[[BOUT:.*]]: tensor<64xf32>)
// CHECK:      %[[WX0:.*]] = tensor.extract_slice %[[WIN]][0, 0] [128, 64] [1, 1] : tensor<256x64xf32> to tensor<128x64xf32>
// CHECK:      %[[BX0:.*]] = tensor.extract_slice %[[BIN]][0] [128] [1] : tensor<256xf32> to tensor<128xf32>
// CHECK:      %[[XROWS:.*]] = mamba.linear %[[H]], %[[WX0]] bias(%[[BX0]]) : (tensor<1x5x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<1x5x128xf32>
// CHECK:      %[[X:.*]] = linalg.transpose ins(%[[XROWS]] : tensor<1x5x128xf32>) outs(%{{.*}} : tensor<1x128x5xf32>) permutation = [0, 2, 1]
// CHECK:      %[[WZ:.*]] = tensor.extract_slice %[[WIN]][128, 0] [128, 64] [1, 1]
// CHECK:      %[[BZ:.*]] = tensor.extract_slice %[[BIN]][128] [128] [1]
// CHECK:      %[[ZROWS:.*]] = mamba.linear %[[H]], %[[WZ]] bias(%[[BZ]])
// CHECK:      %[[Z:.*]] = linalg.transpose ins(%[[ZROWS]]
// CHECK:      %[[CONV:.*]] = mamba.causal_conv1d %[[X]], %[[WCONV]] bias(%[[BCONV]]) activation(silu) : (tensor<1x128x5xf32>, tensor<128x4xf32>, tensor<128xf32>) -> tensor<1x128x5xf32>
// CHECK:      %[[CONVT:.*]] = linalg.transpose ins(%[[CONV]] : tensor<1x128x5xf32>)
// CHECK:      %[[WDTR:.*]] = tensor.extract_slice %[[WX]][0, 0] [4, 128] [1, 1] : tensor<36x128xf32> to tensor<4x128xf32>
// CHECK:      %[[DTR:.*]] = mamba.linear %[[CONVT]], %[[WDTR]] : (tensor<1x5x128xf32>, tensor<4x128xf32>) -> tensor<1x5x4xf32>
// CHECK:      %[[WB:.*]] = tensor.extract_slice %[[WX]][4, 0] [16, 128] [1, 1]
// CHECK:      %[[BROWS:.*]] = mamba.linear %[[CONVT]], %[[WB]] : (tensor<1x5x128xf32>, tensor<16x128xf32>) -> tensor<1x5x16xf32>
// CHECK:      %[[WC:.*]] = tensor.extract_slice %[[WX]][20, 0] [16, 128] [1, 1]
// CHECK:      %[[CROWS:.*]] = mamba.linear %[[CONVT]], %[[WC]]
// CHECK:      %[[DT:.*]] = mamba.linear %[[DTR]], %[[WDT]] : (tensor<1x5x4xf32>, tensor<128x4xf32>) -> tensor<1x5x128xf32>
// CHECK:      %[[DTT:.*]] = linalg.transpose ins(%[[DT]] : tensor<1x5x128xf32>) outs(%{{.*}} : tensor<1x128x5xf32>)
// CHECK:      %[[A:.*]] = linalg.map ins(%[[ALOG]] : tensor<128x16xf32>)
// CHECK:        math.exp
// CHECK:        arith.negf
// CHECK:      %[[BT:.*]] = linalg.transpose ins(%[[BROWS]] : tensor<1x5x16xf32>) outs(%{{.*}} : tensor<1x16x5xf32>)
// CHECK:      %[[B:.*]] = tensor.expand_shape %[[BT]] {{\[}}[0, 1], [2], [3]] output_shape [1, 1, 16, 5] : tensor<1x16x5xf32> into tensor<1x1x16x5xf32>
// CHECK:      %[[CT:.*]] = linalg.transpose ins(%[[CROWS]] : tensor<1x5x16xf32>) outs(%{{.*}} : tensor<1x16x5xf32>)
// CHECK:      %[[C:.*]] = tensor.expand_shape %[[CT]]
// CHECK:      %[[Y:.*]] = mamba.selective_scan %[[CONV]], %[[DTT]], %[[A]], %[[B]], %[[C]] D(%[[D]]) z(%[[Z]]) delta_bias(%[[BDT]]) delta_softplus : {{.*}} -> tensor<1x128x5xf32>
// CHECK:      %[[YT:.*]] = linalg.transpose ins(%[[Y]] : tensor<1x128x5xf32>)
// CHECK:      %[[OUT:.*]] = mamba.linear %[[YT]], %[[WOUT]] bias(%[[BOUT]]) : (tensor<1x5x128xf32>, tensor<64x128xf32>, tensor<64xf32>) -> tensor<1x5x64xf32>
// CHECK:      return %[[OUT]]
// CHECK-NOT:  mamba.mixer
func.func @mixer_all_biases(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>,
                 %b_in: tensor<256xf32>, %w_conv: tensor<128x4xf32>,
                 %b_conv: tensor<128xf32>, %w_x: tensor<36x128xf32>,
                 %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>,
                 %a_log: tensor<128x16xf32>, %d: tensor<128xf32>,
                 %w_out: tensor<64x128xf32>, %b_out: tensor<64xf32>)
    -> tensor<1x5x64xf32> {
  %o = mamba.mixer %h in_proj(%w_in, %b_in) conv(%w_conv, %b_conv)
      x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d)
      out_proj(%w_out, %b_out)
      : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<256xf32>,
         tensor<128x4xf32>, tensor<128xf32>, tensor<36x128xf32>,
         tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>,
         tensor<128xf32>, tensor<64x128xf32>, tensor<64xf32>)
      -> tensor<1x5x64xf32>
  return %o : tensor<1x5x64xf32>
}

// -----

// Prefill over any batch and prompt length: batch and length stay dynamic and
// are carried through tensor.dim, with no bias operands invented.
// CHECK-LABEL: func @mixer_dynamic_no_biases
// CHECK:      mamba.linear %{{.*}}, %{{.*}} : (tensor<?x?x64xbf16>, tensor<128x64xbf16>) -> tensor<?x?x128xbf16>
// CHECK:      linalg.transpose ins(%{{.*}} : tensor<?x?x128xbf16>) outs(%{{.*}} : tensor<?x128x?xbf16>)
// CHECK:      mamba.causal_conv1d %{{.*}}, %{{.*}} activation(silu) : (tensor<?x128x?xbf16>, tensor<128x4xbf16>) -> tensor<?x128x?xbf16>
// CHECK:      tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3]] output_shape [%{{.*}}, 1, 16, %{{.*}}] : tensor<?x16x?xbf16> into tensor<?x1x16x?xbf16>
// CHECK:      mamba.selective_scan {{.*}} delta_softplus : {{.*}} -> tensor<?x128x?xbf16>
// CHECK:      mamba.linear %{{.*}}, %{{.*}} : (tensor<?x?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x?x64xbf16>
func.func @mixer_dynamic_no_biases(%h: tensor<?x?x64xbf16>,
                 %w_in: tensor<256x64xbf16>, %w_conv: tensor<128x4xbf16>,
                 %w_x: tensor<36x128xbf16>, %w_dt: tensor<128x4xbf16>,
                 %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>,
                 %d: tensor<128xf32>, %w_out: tensor<64x128xbf16>)
    -> tensor<?x?x64xbf16> {
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x)
      dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<?x?x64xbf16>, tensor<256x64xbf16>, tensor<128x4xbf16>,
         tensor<36x128xbf16>, tensor<128x4xbf16>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xbf16>)
      -> tensor<?x?x64xbf16>
  return %o : tensor<?x?x64xbf16>
}

// -----

// Primitive ops are already decomposed: the pass leaves them as they are.
// CHECK-LABEL: func @no_mixer
// CHECK-NEXT: mamba.rms_norm
// CHECK-NEXT: return
func.func @no_mixer(%x: tensor<2x5xf32>, %w: tensor<5xf32>) -> tensor<2x5xf32> {
  %y = mamba.rms_norm %x, %w : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// A prefill mixer's decode state comes from the conv's last inputs and the
// scan's final state, without any extra op.
// CHECK-LABEL: func @mixer_with_states
// CHECK:      %[[CONV:.*]], %[[WINDOW:.*]] = mamba.causal_conv1d %{{.*}}, %{{.*}} bias(%{{.*}}) activation(silu) : (tensor<?x128x?xf32>, tensor<128x4xf32>, tensor<128xf32>) -> (tensor<?x128x?xf32>, tensor<?x128x4xf32>)
// CHECK:      %[[Y:.*]], %[[STATE:.*]] = mamba.selective_scan %[[CONV]], {{.*}} delta_softplus : {{.*}} -> (tensor<?x128x?xf32>, tensor<?x128x16xf32>)
// CHECK:      %[[OUT:.*]] = mamba.linear
// CHECK:      return %[[OUT]], %[[WINDOW]], %[[STATE]]
func.func @mixer_with_states(%h: tensor<?x?x64xf32>, %w_in: tensor<256x64xf32>,
                 %w_conv: tensor<128x4xf32>, %b_conv: tensor<128xf32>,
                 %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>,
                 %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>,
                 %d: tensor<128xf32>, %w_out: tensor<64x128xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x128x16xf32>) {
  %o, %c, %s = mamba.mixer %h in_proj(%w_in) conv(%w_conv, %b_conv)
      x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
      : (tensor<?x?x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>,
         tensor<128xf32>, tensor<36x128xf32>, tensor<128x4xf32>,
         tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>,
         tensor<64x128xf32>)
      -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x128x16xf32>)
  return %o, %c, %s : tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x128x16xf32>
}
