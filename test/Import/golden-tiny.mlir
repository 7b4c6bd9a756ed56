// The golden 2-layer model (Hugging Face layout, f32, untied lm_head) as
// mamba IR, and that it decomposes into primitive ops.
//
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny --emit=mlir -o %t.mlir
// RUN: FileCheck %s < %t.mlir
// RUN: mamba-opt %t.mlir --mamba-decompose-mixer | FileCheck %s --check-prefix=DECOMPOSED

// CHECK: module attributes {mamba.model = {conv_kernel = 4 : i64, dtype = f32, hidden_size = 64 : i64, intermediate_size = 128 : i64, layer_norm_epsilon = 1.000000e-05 : f64, model_type = "mamba", num_layers = 2 : i64, residual_in_fp32 = true, state_size = 16 : i64, tie_word_embeddings = false, time_step_rank = 4 : i64, vocab_size = 256 : i64}}

// The prefill takes the prompts, the rows of their flattened positions
// whose logits it returns, and every weight, as stored; it returns those
// logits, each layer's decode state and the logits' greedy ids.
// CHECK-LABEL: func.func @prefill(
// CHECK-SAME: %[[IDS:[a-z0-9]+]]: tensor<?x?xi32> {mamba.input = "ids"}
// CHECK-SAME: %[[ROWS:[a-z0-9]+]]: tensor<?xi32> {mamba.input = "logit_rows"}
// CHECK-SAME: %[[EMB:[a-z0-9]+]]: tensor<256x64xf32> {mamba.weight = "backbone.embeddings.weight"}
// CHECK-SAME: %[[NORM0:[a-z0-9]+]]: tensor<64xf32> {mamba.weight = "backbone.layers.0.norm.weight"}
// CHECK-SAME: %[[CONV0:[a-z0-9]+]]: tensor<128x1x4xf32> {mamba.weight = "backbone.layers.0.mixer.conv1d.weight"}
// CHECK-SAME: tensor<128xf32> {mamba.weight = "backbone.layers.0.mixer.dt_proj.bias"}
// CHECK-SAME: %[[NORM1:[a-z0-9]+]]: tensor<64xf32> {mamba.weight = "backbone.layers.1.norm.weight"}
// CHECK-SAME: %[[NORMF:[a-z0-9]+]]: tensor<64xf32> {mamba.weight = "backbone.norm_f.weight"}
// CHECK-SAME: %[[HEAD:[a-z0-9]+]]: tensor<256x64xf32> {mamba.weight = "lm_head.weight"})
// CHECK-SAME: -> (tensor<?x256xf32> {mamba.output = "logits"}, tensor<?x128x4xf32> {mamba.state = "layers.0.conv"}, tensor<?x128x4xf32> {mamba.state = "layers.1.conv"}, tensor<?x128x16xf32> {mamba.state = "layers.0.ssm"}, tensor<?x128x16xf32> {mamba.state = "layers.1.ssm"}, tensor<?xi32> {mamba.output = "next_ids"})
// CHECK:      %[[H:.*]] = mamba.embedding %[[IDS]], %[[EMB]] : (tensor<?x?xi32>, tensor<256x64xf32>) -> tensor<?x?x64xf32>
// The first layer's residual is the embedding itself.
// CHECK:      %[[N0:.*]], %[[R0:.*]] = mamba.rms_norm %[[H]], %[[NORM0]] : {{.*}} -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>)
// CHECK:      %[[W0:.*]] = tensor.collapse_shape %[[CONV0]] {{\[}}[0, 1], [2]] : tensor<128x1x4xf32> into tensor<128x4xf32>
// CHECK:      %[[M0:.*]], %[[S0:.*]]:2 = mamba.mixer %[[N0]] in_proj(%{{.*}}) conv(%[[W0]], %{{.*}}) {{.*}} -> (tensor<?x?x64xf32>, tensor<?x128x4xf32>, tensor<?x128x16xf32>)
// Later layers add the previous mixer's output to the residual stream.
// CHECK:      %[[N1:.*]], %[[R1:.*]] = mamba.rms_norm %[[M0]], %[[NORM1]] residual(%[[R0]])
// CHECK:      %[[M1:.*]], %[[S1:.*]]:2 = mamba.mixer %[[N1]]
// CHECK:      %[[NF:.*]] = mamba.rms_norm %[[M1]], %[[NORMF]] residual(%[[R1]]) : {{.*}} -> tensor<?x?x64xf32>
// Only the asked-for positions reach lm_head: a gather of their rows.
// CHECK:      %[[FLAT:.*]] = tensor.collapse_shape %[[NF]] {{\[}}[0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK:      %[[PICKED:.*]] = mamba.embedding %[[ROWS]], %[[FLAT]] : (tensor<?xi32>, tensor<?x64xf32>) -> tensor<?x64xf32>
// CHECK:      %[[LOGITS:.*]] = mamba.linear %[[PICKED]], %[[HEAD]] : (tensor<?x64xf32>, tensor<256x64xf32>) -> tensor<?x256xf32>
// CHECK:      %[[NEXT:.*]] = mamba.argmax %[[LOGITS]] : (tensor<?x256xf32>) -> tensor<?xi32>
// CHECK:      return %[[LOGITS]], %[[S0]]#0, %[[S1]]#0, %[[S0]]#1, %[[S1]]#1, %[[NEXT]]

// The decode step takes one token per sequence and the states, and returns
// the states under the same names, then the greedy next ids.
// CHECK-LABEL: func.func @decode_step(
// CHECK-SAME: %[[IDS:[a-z0-9]+]]: tensor<?xi32> {mamba.input = "ids"}
// CHECK-SAME: %[[C0:[a-z0-9]+]]: tensor<?x128x4xf32> {mamba.state = "layers.0.conv"}
// CHECK-SAME: %[[C1:[a-z0-9]+]]: tensor<?x128x4xf32> {mamba.state = "layers.1.conv"}
// CHECK-SAME: %[[H0:[a-z0-9]+]]: tensor<?x128x16xf32> {mamba.state = "layers.0.ssm"}
// CHECK-SAME: %[[H1:[a-z0-9]+]]: tensor<?x128x16xf32> {mamba.state = "layers.1.ssm"}
// CHECK-SAME: %[[EMB:[a-z0-9]+]]: tensor<256x64xf32> {mamba.weight = "backbone.embeddings.weight"}
// CHECK-SAME: -> (tensor<?x256xf32> {mamba.output = "logits"}, tensor<?x128x4xf32> {mamba.state = "layers.0.conv"}, tensor<?x128x4xf32> {mamba.state = "layers.1.conv"}, tensor<?x128x16xf32> {mamba.state = "layers.0.ssm"}, tensor<?x128x16xf32> {mamba.state = "layers.1.ssm"}, tensor<?xi32> {mamba.output = "next_ids"})
// CHECK:      %[[H:.*]] = mamba.embedding %[[IDS]], %[[EMB]] : (tensor<?xi32>, tensor<256x64xf32>) -> tensor<?x64xf32>
// CHECK:      %[[N0:.*]], %[[R0:.*]] = mamba.rms_norm %[[H]]
// CHECK:      %[[M0:.*]], %[[NC0:.*]], %[[NH0:.*]] = mamba.mixer_step %[[N0]], %[[C0]], %[[H0]] in_proj
// CHECK:      %[[N1:.*]], %[[R1:.*]] = mamba.rms_norm %[[M0]], %{{.*}} residual(%[[R0]])
// CHECK:      %[[M1:.*]], %[[NC1:.*]], %[[NH1:.*]] = mamba.mixer_step %[[N1]], %[[C1]], %[[H1]] in_proj
// CHECK:      %[[NF:.*]] = mamba.rms_norm %[[M1]], %{{.*}} residual(%[[R1]])
// CHECK:      %[[LOGITS:.*]] = mamba.linear %[[NF]], %{{.*}} : (tensor<?x64xf32>, tensor<256x64xf32>) -> tensor<?x256xf32>
// CHECK:      %[[NEXT:.*]] = mamba.argmax %[[LOGITS]] : (tensor<?x256xf32>) -> tensor<?xi32>
// CHECK:      return %[[LOGITS]], %[[NC0]], %[[NC1]], %[[NH0]], %[[NH1]], %[[NEXT]]

// DECOMPOSED-LABEL: func.func @prefill
// DECOMPOSED-COUNT-2: mamba.causal_conv1d {{.*}} -> (tensor<?x128x?xf32>, tensor<?x128x4xf32>)
// DECOMPOSED-LABEL: func.func @decode_step
// DECOMPOSED-COUNT-2: mamba.selective_step
// DECOMPOSED-NOT: mamba.mixer
