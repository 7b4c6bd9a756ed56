// The 2-layer Mamba-1 language model of test/data/golden/model-tiny (hidden
// size 64, d_inner 128, state 16, conv width 4, dt rank 4, vocabulary 256),
// written by hand in the mamba dialect: the prefill of any batch of prompts.
// Weights are function arguments, named and ordered as in the model's
// safetensors file (conv1d.weight [128, 1, 4] squeezed to [128, 4]).
//
//   mamba-opt examples/tiny-mamba.mlir --mamba-pipeline
//
// The pre-norm residual stream of the Hugging Face model (residual = hidden;
// hidden = mixer(norm(hidden)); hidden += residual) is expressed with the
// fused residual add of mamba.rms_norm.
func.func @prefill(
    %ids: tensor<?x?xi32>,
    %embeddings: tensor<256x64xf32>,
    %l0_norm: tensor<64xf32>,
    %l0_in_proj: tensor<256x64xf32>,
    %l0_conv_w: tensor<128x4xf32>,
    %l0_conv_b: tensor<128xf32>,
    %l0_x_proj: tensor<36x128xf32>,
    %l0_dt_proj_w: tensor<128x4xf32>,
    %l0_dt_proj_b: tensor<128xf32>,
    %l0_A_log: tensor<128x16xf32>,
    %l0_D: tensor<128xf32>,
    %l0_out_proj: tensor<64x128xf32>,
    %l1_norm: tensor<64xf32>,
    %l1_in_proj: tensor<256x64xf32>,
    %l1_conv_w: tensor<128x4xf32>,
    %l1_conv_b: tensor<128xf32>,
    %l1_x_proj: tensor<36x128xf32>,
    %l1_dt_proj_w: tensor<128x4xf32>,
    %l1_dt_proj_b: tensor<128xf32>,
    %l1_A_log: tensor<128x16xf32>,
    %l1_D: tensor<128xf32>,
    %l1_out_proj: tensor<64x128xf32>,
    %norm_f: tensor<64xf32>,
    %lm_head: tensor<256x64xf32>)
    -> tensor<?x?x256xf32> {
  %h = mamba.embedding %ids, %embeddings : (tensor<?x?xi32>, tensor<256x64xf32>) -> tensor<?x?x64xf32>
  %n0, %r0 = mamba.rms_norm %h, %l0_norm : (tensor<?x?x64xf32>, tensor<64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>)
  %m0 = mamba.mixer %n0 in_proj(%l0_in_proj) conv(%l0_conv_w, %l0_conv_b)
      x_proj(%l0_x_proj) dt_proj(%l0_dt_proj_w, %l0_dt_proj_b)
      A_log(%l0_A_log) D(%l0_D) out_proj(%l0_out_proj)
      : (tensor<?x?x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  %n1, %r1 = mamba.rms_norm %m0, %l1_norm residual(%r0) : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<?x?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>)
  %m1 = mamba.mixer %n1 in_proj(%l1_in_proj) conv(%l1_conv_w, %l1_conv_b)
      x_proj(%l1_x_proj) dt_proj(%l1_dt_proj_w, %l1_dt_proj_b)
      A_log(%l1_A_log) D(%l1_D) out_proj(%l1_out_proj)
      : (tensor<?x?x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>,
         tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<?x?x64xf32>
  %final, %unused = mamba.rms_norm %m1, %norm_f residual(%r1) : (tensor<?x?x64xf32>, tensor<64xf32>, tensor<?x?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>)
  %logits = mamba.linear %final, %lm_head : (tensor<?x?x64xf32>, tensor<256x64xf32>) -> tensor<?x?x256xf32>
  return %logits : tensor<?x?x256xf32>
}
