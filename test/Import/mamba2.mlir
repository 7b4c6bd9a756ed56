// Mamba-2 model directories (Mamba2ForCausalLM and mamba_ssm's ssm_cfg with
// layer "Mamba2"): what loads, and every config and weight problem refused
// with a message naming it.
//
// transformers' layout: each layer a mamba.mixer2 with the config's groups
// and chunk size; the unbounded time_step_limit sets no dt clamp; four
// decode states per layer, named.
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=HF
// HF: mamba.model = {{{.*}}head_dim = 16 : i64{{.*}}model_type = "mamba2", n_groups = 2 : i64, num_heads = 8 : i64
// HF: func.func @prefill
// HF-SAME: -> (tensor<?x256xf32> {mamba.output = "logits"}, tensor<?x128x4xf32> {mamba.state = "layers.0.conv_x"}, tensor<?x128x4xf32> {mamba.state = "layers.1.conv_x"}, tensor<?x32x4xf32> {mamba.state = "layers.0.conv_b"}, tensor<?x32x4xf32> {mamba.state = "layers.1.conv_b"}, tensor<?x32x4xf32> {mamba.state = "layers.0.conv_c"}, tensor<?x32x4xf32> {mamba.state = "layers.1.conv_c"}, tensor<?x8x16x16xf32> {mamba.state = "layers.0.ssm"}, tensor<?x8x16x16xf32> {mamba.state = "layers.1.ssm"}
// HF: mamba.mixer2 {{.*}} {chunk_size = 8 : i64, n_groups = 2 : i64} :
// HF: func.func @decode_step
// HF: mamba.mixer2_step {{.*}} {chunk_size = 8 : i64, n_groups = 2 : i64} :
//
// transformers' gated norm takes layer_norm_epsilon (the default 1e-5 is
// not printed).
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set layer_norm_epsilon=1e-6
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=HFEPS
// HFEPS: mamba.mixer2 {{.*}} norm_eps = 9.9999999999999995E-7 : f64}
//
// The three spellings of an unbounded limit in real config.json files.
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set-raw 'time_step_limit=[0.0, Infinity]'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=UNBOUNDED
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.0, "Infinity"]'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=UNBOUNDED
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.0, {"__float__": "Infinity"}]'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=UNBOUNDED
// UNBOUNDED: mamba.mixer2 {{.*}} {chunk_size = 8 : i64, n_groups = 2 : i64} :
//
// A limit that clamps, and a lower bound alone.
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.001, 0.1]'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=CLAMP
// CLAMP: mamba.mixer2 {{.*}} {chunk_size = 8 : i64, dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-03 : f64, n_groups = 2 : i64
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set-raw 'time_step_limit=[0.001, Infinity]'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=LOW
// LOW: mamba.mixer2 {{.*}} {chunk_size = 8 : i64, dt_min = 1.000000e-03 : f64, n_groups = 2 : i64
//
// mamba_ssm's layout: the gated norm's epsilon is its fixed 1e-5, and
// D_has_hdim stores D per channel ([E]), which the scan takes as [H, P].
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --layout ss --set norm_epsilon=1e-6
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=SS
// SS: mamba.rms_norm {{.*}} eps(9.99999997E-7)
// SS: mamba.mixer2 {{.*}} {chunk_size = 8 : i64, n_groups = 2 : i64} :
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --layout ss --shape backbone.layers.0.mixer.D=128 --shape backbone.layers.1.mixer.D=128 --set 'ssm_cfg={"layer": "Mamba2", "d_state": 16, "headdim": 16, "ngroups": 2, "D_has_hdim": true}'
// RUN: mamba-compile %t.d --emit=mlir -o - | FileCheck %s --check-prefix=DHDIM
// DHDIM: tensor.expand_shape {{.*}} : tensor<128xf32> into tensor<8x16xf32>
// DHDIM: mamba.mixer2
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set num_heads=4
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=HEADS
// HEADS: config field num_heads times head_dim is 4 * 16 = 64, but the inner size (expand * hidden size) is 128
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set n_groups=3
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=GROUPS
// GROUPS: config field n_groups is 3, which does not divide the 8 heads
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.1, 0.01]'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT
// LIMIT: config field time_step_limit is [0.1, 0.01], expected 0 <= low <= high with low finite
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.0]'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMITTYPE
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set 'time_step_limit=[0.0, "big"]'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMITTYPE
// LIMITTYPE: config field time_step_limit must be a pair [low, high] of numbers (Infinity, "Infinity" and {"__float__": "Infinity"} are read as infinity)
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set rms_norm=false
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NORM
// NORM: config field rms_norm is false: only Mamba-2 blocks with the gated RMSNorm (rms_norm = true) are supported
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --set norm_before_gate=true
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE
// BEFORE: config field norm_before_gate is true: only the norm after the gate (false, what the released models use) is supported
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --layout ss --set 'ssm_cfg={"layer": "Mamba2", "headdim": 48}'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=HEADDIM
// HEADDIM: config field ssm_cfg.headdim is 48, which does not divide the inner size expand * d_model = 128
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --layout ss --set 'ssm_cfg={"layer": "Mamba2", "headdim": 16, "d_ssm": 64}'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=DSSM
// DSSM: config field ssm_cfg.d_ssm differs from the inner size: blocks whose SSM covers only part of the channels (an MLP beside it) are not supported
//
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --layout ss --set 'ssm_cfg={"layer": "Mamba2", "headdim": 16, "rmsnorm": false}'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SSNORM
// SSNORM: config field ssm_cfg.rmsnorm is false: only Mamba-2 blocks with the gated RMSNorm (rmsnorm = true) are supported
//
// It compiles for the CPU and the GPU, with the SSD as one kernel.
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2
// RUN: mamba-compile %t.d --target=cpu -o %t.mmod
// RUN: mamba-compile %t.d --target=sm_90a -o %t.gpu.mmod
// RUN: mamba-mmod-dump %t.gpu.mmod | FileCheck %s --check-prefix=GPU
// GPU-COUNT-1: _ssd_scan_kernel sm_90a cubin
// GPU: _rms_norm_gated_kernel sm_90a cubin
//
// Weights: the in_proj rows of this config, a Mamba-1 weight left over.
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --shape backbone.layers.0.mixer.in_proj.weight=320,64
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=INPROJ
// INPROJ: weight 'backbone.layers.0.mixer.in_proj.weight' in {{.*}} has shape [320, 64], expected [2E+2GN+H=328, D=64]
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --extra backbone.layers.0.mixer.x_proj.weight
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: unexpected weight 'backbone.layers.0.mixer.x_proj.weight' in {{.*}}: not part of a Mamba-2 model with this config
// RUN: %python %S/Inputs/make-model.py %t.d --mamba2 --drop backbone.layers.1.mixer.norm.weight
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONORM
// NONORM: weight 'backbone.layers.1.mixer.norm.weight' is missing
