// Model directories the importer accepts: other dtypes, tied embeddings,
// biases, the state-spaces config layout, sharded and squeezed weights.
//
// bf16 weights with a bf16 torch_dtype: activations and GEMM weights are
// bf16, A_log, D and the dt bias f32, the residual stream f32.
// RUN: %python %S/Inputs/make-model.py %t.bf16 --dtype BF16 --set 'torch_dtype="bfloat16"'
// RUN: mamba-compile %t.bf16 --emit=mlir -o - | FileCheck %s --check-prefix=BF16
// BF16: dtype = bf16
// BF16-LABEL: func.func @prefill(
// BF16-SAME: tensor<256x64xbf16> {mamba.weight = "backbone.layers.0.mixer.in_proj.weight"}
// BF16-SAME: tensor<128x16xf32> {mamba.weight = "backbone.layers.0.mixer.A_log"}
// BF16-SAME: -> (tensor<?x256xbf16> {mamba.output = "logits"}, tensor<?x128x4xbf16> {mamba.state = "layers.0.conv"}
// BF16-SAME: tensor<?x128x16xf32> {mamba.state = "layers.0.ssm"}
// BF16: mamba.rms_norm %{{.*}}, %{{.*}} : (tensor<?x?x64xbf16>, tensor<64xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x?x64xf32>)
// BF16: mamba.rms_norm %{{.*}}, %{{.*}} residual(%{{.*}}) : (tensor<?x?x64xbf16>, tensor<64xbf16>, tensor<?x?x64xf32>) -> (tensor<?x?x64xbf16>, tensor<?x?x64xf32>)
//
// --dtype overrides the stored type; without residual_in_fp32 the residual
// stream has the compute type.
// RUN: mamba-compile %t.bf16 --emit=mlir --dtype=f16 -o - | FileCheck %s --check-prefix=F16
// F16: dtype = f16
// F16: tensor<256x64xf16> {mamba.weight = "backbone.layers.0.mixer.in_proj.weight"}
// RUN: %python %S/Inputs/make-model.py %t.nofp32 --set residual_in_fp32=false
// RUN: mamba-compile %t.nofp32 --emit=mlir --dtype=bf16 -o - | FileCheck %s --check-prefix=NOFP32
// NOFP32: mamba.rms_norm %{{.*}}, %{{.*}} : (tensor<?x?x64xbf16>, tensor<64xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>)
//
// Without a torch_dtype the embedding table's dtype decides.
// RUN: %python %S/Inputs/make-model.py %t.f16 --dtype F16
// RUN: mamba-compile %t.f16 --emit=mlir -o - | FileCheck %s --check-prefix=AUTO
// AUTO: dtype = f16
//
// Tied embeddings: lm_head is the embedding table, and there is no
// lm_head.weight argument.
// RUN: %python %S/Inputs/make-model.py %t.tied --tied
// RUN: mamba-compile %t.tied --emit=mlir -o - | FileCheck %s --check-prefix=TIED
// TIED-LABEL: func.func @prefill(
// TIED-SAME: %[[EMB:[a-z0-9]+]]: tensor<256x64xf32> {mamba.weight = "backbone.embeddings.weight"}
// TIED-NOT: lm_head
// TIED: mamba.linear %{{.*}}, %[[EMB]] : (tensor<?x64xf32>, tensor<256x64xf32>) -> tensor<?x256xf32>
//
// use_bias and no conv bias.
// RUN: %python %S/Inputs/make-model.py %t.bias --use-bias --no-conv-bias
// RUN: mamba-compile %t.bias --emit=mlir -o - | FileCheck %s --check-prefix=BIAS
// BIAS: mamba.mixer %{{.*}} in_proj(%{{.*}}, %{{.*}}) conv(%{{.*}}) x_proj(%{{.*}}) dt_proj(%{{.*}}, %{{.*}}) A_log(%{{.*}}) D(%{{.*}}) out_proj(%{{.*}}, %{{.*}})
//
// The state-spaces layout: d_model/n_layer/ssm_cfg, the vocabulary padded
// from 250 to 256, "backbone.embedding.weight".
// RUN: %python %S/Inputs/make-model.py %t.ss --layout ss --tied --dtype BF16
// RUN: mamba-compile %t.ss --emit=mlir -o - | FileCheck %s --check-prefix=SS
// SS: dtype = bf16, hidden_size = 64 : i64, intermediate_size = 128 : i64, {{.*}} vocab_size = 256 : i64
// SS: tensor<256x64xbf16> {mamba.weight = "backbone.embedding.weight"}
//
// Three shards and a [E, K] conv weight.
// RUN: %python %S/Inputs/make-model.py %t.shards --shards 3 --squeeze-conv
// RUN: mamba-compile %t.shards --emit=mlir -o - | FileCheck %s --check-prefix=SHARDS
// SHARDS: tensor<128x4xf32> {mamba.weight = "backbone.layers.1.mixer.conv1d.weight"}
// The conv weight needs no collapse: the only one left gathers the logits'
// rows.
// SHARDS-NOT: tensor.collapse_shape {{.*}} : tensor<128x1x4xf32>
// SHARDS: func.func @decode_step
//
// time_step_rank "auto" is ceil(hidden_size / 16) = 4 here.
// RUN: %python %S/Inputs/make-model.py %t.auto --set 'time_step_rank="auto"'
// RUN: mamba-compile %t.auto --emit=mlir -o - | FileCheck %s --check-prefix=RANK
// RANK: time_step_rank = 4 : i64
//
// Zero layers: embedding, norm_f and lm_head only.
// RUN: %python %S/Inputs/make-model.py %t.zero --layers 0
// RUN: mamba-compile %t.zero --emit=mlir -o - | FileCheck %s --check-prefix=ZERO
// ZERO-LABEL: func.func @prefill
// ZERO-NOT: mamba.mixer
// ZERO: mamba.rms_norm
// ZERO-NEXT: tensor.collapse_shape
// ZERO-NEXT: mamba.embedding
// ZERO-NEXT: mamba.linear
// ZERO-LABEL: func.func @decode_step(%{{.*}}: tensor<?xi32> {mamba.input = "ids"}, %{{.*}}: tensor<256x64xf32> {mamba.weight = "backbone.embeddings.weight"}
//
// A non-default epsilon reaches every norm.
// RUN: %python %S/Inputs/make-model.py %t.eps --set layer_norm_epsilon=1e-6
// RUN: mamba-compile %t.eps --emit=mlir -o - | FileCheck %s --check-prefix=EPS
// EPS-COUNT-6: mamba.rms_norm {{.*}} eps(9.99999997E-7)
