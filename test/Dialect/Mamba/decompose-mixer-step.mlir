// RUN: mamba-opt %s -mamba-decompose-mixer | FileCheck %s --check-prefix=FUSED
// RUN: mamba-opt %s -mamba-decompose-mixer=fuse-step=false | FileCheck %s --check-prefix=UNFUSED

// By default a decode step keeps everything between its projections as one
// mamba.selective_step: one in_proj GEMM for x and z together, A derived
// from A_log, out_proj on the step's y.
// FUSED-LABEL: func @mixer_step
// FUSED-SAME: (%[[H:.*]]: tensor<?x64xbf16>, %[[CS:.*]]: tensor<?x128x4xbf16>, %[[SS:.*]]: tensor<?x128x16xf32>, %[[WIN:.*]]: tensor<256x64xbf16>, %[[BIN:.*]]: tensor<256xbf16>, %[[WCONV:.*]]: tensor<128x4xbf16>, %[[WX:.*]]: tensor<36x128xbf16>, %[[WDT:.*]]: tensor<128x4xbf16>, %[[BDT:.*]]: tensor<128xf32>, %[[ALOG:.*]]: tensor<128x16xf32>, %[[D:.*]]: tensor<128xf32>, %[[WOUT:.*]]: tensor<64x128xbf16>)
// FUSED-NOT:  tensor.extract_slice
// FUSED:      %[[XZ:.*]] = mamba.linear %[[H]], %[[WIN]] bias(%[[BIN]]) : (tensor<?x64xbf16>, tensor<256x64xbf16>, tensor<256xbf16>) -> tensor<?x256xbf16>
// FUSED:      %[[A:.*]] = linalg.map ins(%[[ALOG]] : tensor<128x16xf32>)
// FUSED:      %[[Y:.*]], %[[NCS:.*]], %[[NSS:.*]] = mamba.selective_step %[[XZ]], %[[CS]], %[[SS]] conv(%[[WCONV]]) x_proj(%[[WX]]) dt_proj(%[[WDT]], %[[BDT]]) A(%[[A]]) D(%[[D]]) : ({{.*}}) -> (tensor<?x128xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
// FUSED:      %[[OUT:.*]] = mamba.linear %[[Y]], %[[WOUT]] : (tensor<?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x64xbf16>
// FUSED:      return %[[OUT]], %[[NCS]], %[[NSS]]
// FUSED-NOT:  mamba.mixer_step

// With fuse-step=false: the primitive one-token ops.
// UNFUSED-LABEL: func @mixer_step
// UNFUSED-SAME: (%[[H:.*]]: tensor<?x64xbf16>, %[[CS:.*]]: tensor<?x128x4xbf16>, %[[SS:.*]]: tensor<?x128x16xf32>, %[[WIN:.*]]: tensor<256x64xbf16>, %[[BIN:.*]]: tensor<256xbf16>, %[[WCONV:.*]]: tensor<128x4xbf16>, %[[WX:.*]]: tensor<36x128xbf16>, %[[WDT:.*]]: tensor<128x4xbf16>, %[[BDT:.*]]: tensor<128xf32>, %[[ALOG:.*]]: tensor<128x16xf32>, %[[D:.*]]: tensor<128xf32>, %[[WOUT:.*]]: tensor<64x128xbf16>)
// UNFUSED-NOT:  linalg.transpose
// UNFUSED:      %[[WX0:.*]] = tensor.extract_slice %[[WIN]][0, 0] [128, 64] [1, 1]
// UNFUSED:      %[[BX0:.*]] = tensor.extract_slice %[[BIN]][0] [128] [1]
// UNFUSED:      %[[X:.*]] = mamba.linear %[[H]], %[[WX0]] bias(%[[BX0]]) : (tensor<?x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>) -> tensor<?x128xbf16>
// UNFUSED:      %[[WZ:.*]] = tensor.extract_slice %[[WIN]][128, 0] [128, 64] [1, 1]
// UNFUSED:      %[[BZ:.*]] = tensor.extract_slice %[[BIN]][128] [128] [1]
// UNFUSED:      %[[Z:.*]] = mamba.linear %[[H]], %[[WZ]] bias(%[[BZ]])
// UNFUSED:      %[[XC:.*]], %[[NCS:.*]] = mamba.conv_state_update %[[CS]], %[[X]], %[[WCONV]] activation(silu) : (tensor<?x128x4xbf16>, tensor<?x128xbf16>, tensor<128x4xbf16>) -> (tensor<?x128xbf16>, tensor<?x128x4xbf16>)
// UNFUSED:      %[[WDTR:.*]] = tensor.extract_slice %[[WX]][0, 0] [4, 128] [1, 1]
// UNFUSED:      %[[DTR:.*]] = mamba.linear %[[XC]], %[[WDTR]] : (tensor<?x128xbf16>, tensor<4x128xbf16>) -> tensor<?x4xbf16>
// UNFUSED:      %[[WB:.*]] = tensor.extract_slice %[[WX]][4, 0] [16, 128] [1, 1]
// UNFUSED:      %[[BR:.*]] = mamba.linear %[[XC]], %[[WB]] : (tensor<?x128xbf16>, tensor<16x128xbf16>) -> tensor<?x16xbf16>
// UNFUSED:      %[[WC:.*]] = tensor.extract_slice %[[WX]][20, 0] [16, 128] [1, 1]
// UNFUSED:      %[[CR:.*]] = mamba.linear %[[XC]], %[[WC]]
// UNFUSED:      %[[DT:.*]] = mamba.linear %[[DTR]], %[[WDT]] : (tensor<?x4xbf16>, tensor<128x4xbf16>) -> tensor<?x128xbf16>
// UNFUSED:      %[[A:.*]] = linalg.map ins(%[[ALOG]] : tensor<128x16xf32>)
// UNFUSED:      %[[B:.*]] = tensor.expand_shape %[[BR]] {{\[}}[0, 1], [2]] output_shape [%{{.*}}, 1, 16] : tensor<?x16xbf16> into tensor<?x1x16xbf16>
// UNFUSED:      %[[C:.*]] = tensor.expand_shape %[[CR]] {{\[}}[0, 1], [2]]
// UNFUSED:      %[[Y:.*]], %[[NSS:.*]] = mamba.selective_state_update %[[SS]], %[[XC]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]]) z(%[[Z]]) dt_bias(%[[BDT]]) delta_softplus
// UNFUSED:      %[[OUT:.*]] = mamba.linear %[[Y]], %[[WOUT]] : (tensor<?x128xbf16>, tensor<64x128xbf16>) -> tensor<?x64xbf16>
// UNFUSED:      return %[[OUT]], %[[NCS]], %[[NSS]]
// UNFUSED-NOT:  mamba.mixer_step
func.func @mixer_step(%h: tensor<?x64xbf16>, %conv: tensor<?x128x4xbf16>,
                 %ssm: tensor<?x128x16xf32>, %w_in: tensor<256x64xbf16>,
                 %b_in: tensor<256xbf16>, %w_conv: tensor<128x4xbf16>,
                 %w_x: tensor<36x128xbf16>, %w_dt: tensor<128x4xbf16>,
                 %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>,
                 %d: tensor<128xf32>, %w_out: tensor<64x128xbf16>)
    -> (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>) {
  %o, %c, %s = mamba.mixer_step %h, %conv, %ssm in_proj(%w_in, %b_in)
      conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d)
      out_proj(%w_out)
      : (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>,
         tensor<256x64xbf16>, tensor<256xbf16>, tensor<128x4xbf16>,
         tensor<36x128xbf16>, tensor<128x4xbf16>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xbf16>)
      -> (tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>)
  return %o, %c, %s : tensor<?x64xbf16>, tensor<?x128x4xbf16>, tensor<?x128x16xf32>
}
