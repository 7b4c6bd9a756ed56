// Every bad model directory is refused with a message naming the problem.
//
// RUN: not mamba-compile %t.nothing --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: mamba-compile: {{.*}}nothing{{.*}}: {{[Nn]}}o such file or directory
//
// RUN: %python %S/Inputs/make-model.py %t.d
// RUN: echo '{"hidden_size": 64,' > %t.d/config.json
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: mamba-compile: {{.*}}config.json: config.json is not valid JSON:
//
// RUN: %python %S/Inputs/make-model.py %t.d --set 'model_type="jamba"'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=OTHER
// OTHER: config field model_type is "jamba": only Mamba-1 and Mamba-2 models ("mamba", "mamba2") are supported
//
// RUN: %python %S/Inputs/make-model.py %t.d --unset hidden_size
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTMAMBA
// NOTMAMBA: config.json is not a Mamba config: it has neither hidden_size (Hugging Face MambaConfig) nor d_model (state-spaces MambaConfig)
//
// RUN: %python %S/Inputs/make-model.py %t.d --unset vocab_size
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOVOCAB
// NOVOCAB: config field vocab_size is missing
//
// RUN: %python %S/Inputs/make-model.py %t.d --set 'hidden_size="64"'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TYPE
// TYPE: config field hidden_size must be an integer
//
// RUN: %python %S/Inputs/make-model.py %t.d --set num_hidden_layers=-1
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: config field num_hidden_layers is -1, expected 0 to 4096
//
// RUN: %python %S/Inputs/make-model.py %t.d --set 'time_step_rank="big"'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: config field time_step_rank must be a positive integer or "auto", not "big"
//
// RUN: %python %S/Inputs/make-model.py %t.d --set layer_norm_epsilon=0
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=EPS
// EPS: config field layer_norm_epsilon is 0, expected a positive finite number
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set 'ssm_cfg={"layer": "Mamba3"}'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SSM3
// SSM3: config field ssm_cfg.layer is "Mamba3": only Mamba-1 and Mamba-2 blocks ("Mamba1", "Mamba2") are supported
//
// Found by fuzz/ConfigFuzzer.cpp: a zero multiple divided the vocabulary
// size by zero before the error was looked at.
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set pad_vocab_size_multiple=0
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=PADZERO
// PADZERO: config field pad_vocab_size_multiple is 0, expected 1 to
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set rms_norm=false
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=LAYERNORM
// LAYERNORM: config field rms_norm is false: LayerNorm models are not supported, only RMSNorm (rms_norm = true)
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set 'attn_layer_idx=[1]'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=HYBRID
// HYBRID: config field attn_layer_idx is not empty: hybrid models with attention layers are not supported
//
// Fields of the wrong JSON type, sizes past the limits, and what else a
// config can get wrong.
// RUN: %python %S/Inputs/make-model.py %t.d
// RUN: echo '[1, 2]' > %t.d/config.json
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTOBJECT
// NOTOBJECT: mamba-compile: {{.*}}config.json: config.json must hold a JSON object
//
// RUN: %python %S/Inputs/make-model.py %t.d --set use_bias=1
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=BOOL
// BOOL: config field use_bias must be true or false
//
// RUN: %python %S/Inputs/make-model.py %t.d --set 'layer_norm_epsilon="x"'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NUMBER
// NUMBER: config field layer_norm_epsilon must be a number
//
// RUN: %python %S/Inputs/make-model.py %t.d --set model_type=3
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRING
// STRING: config field model_type must be a string
//
// RUN: %python %S/Inputs/make-model.py %t.d --set hidden_size=1000000 --set expand=1000000 --unset intermediate_size
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPAND
// EXPAND: config field expand times hidden_size is too large
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set d_model=1000000 --set 'ssm_cfg={"expand": 1000000}'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SSEXPAND
// SSEXPAND: config field ssm_cfg.expand times d_model is too large
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set d_intermediate=128
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// MLP: config field d_intermediate is not 0: blocks with an MLP are not supported
//
// RUN: %python %S/Inputs/make-model.py %t.d --layout ss --set ssm_cfg=3
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SSMCFG
// SSMCFG: config field ssm_cfg must be an object
//
// RUN: %python %S/Inputs/make-model.py %t.d
// RUN: rm %t.d/config.json
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOCONFIG
// NOCONFIG: mamba-compile: cannot read {{.*}}config.json: No such file or directory
//
// RUN: %python %S/Inputs/make-model.py %t.d --dtype F64 --unset torch_dtype
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=F64
// F64: mamba-compile: the embedding table is F64 and the config names no torch_dtype; choose a dtype
//
// Every weight twice: a copy of the checkpoint next to it.
// RUN: %python %S/Inputs/make-model.py %t.d
// RUN: cp %t.d/model.safetensors %t.d/copy.safetensors
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: mamba-compile: weight 'backbone.embeddings.weight' is in both {{.*}}copy.safetensors and {{.*}}model.safetensors
//
// RUN: %python %S/Inputs/make-model.py %t.d --drop backbone.layers.1.mixer.in_proj.weight
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: mamba-compile: weight 'backbone.layers.1.mixer.in_proj.weight' is missing
//
// RUN: %python %S/Inputs/make-model.py %t.d --extra backbone.layers.0.mixer.extra
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: unexpected weight 'backbone.layers.0.mixer.extra' in {{.*}}model.safetensors: not part of a Mamba-1 model with this config
//
// A checkpoint with more layers than its config.
// RUN: %python %S/Inputs/make-model.py %t.d --set num_hidden_layers=1
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=LAYERS
// LAYERS: unexpected weight 'backbone.layers.1.
//
// RUN: %python %S/Inputs/make-model.py %t.d --shape backbone.layers.0.mixer.x_proj.weight=40,128
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: weight 'backbone.layers.0.mixer.x_proj.weight' in {{.*}}model.safetensors has shape [40, 128], expected [R+2N=36, E=128]
//
// RUN: %python %S/Inputs/make-model.py %t.d --shape backbone.layers.0.mixer.conv1d.weight=128,2,4
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONVSHAPE
// CONVSHAPE: has shape [128, 2, 4], expected [E=128, 1=1, K=4] or [E=128, K=4]
//
// RUN: %python %S/Inputs/make-model.py %t.d --retype backbone.norm_f.weight=I64
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: weight 'backbone.norm_f.weight' in {{.*}}model.safetensors has dtype I64, expected a floating-point type (F32, BF16, F16 or F64)
//
// RUN: %python %S/Inputs/make-model.py %t.d --truncate
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: mamba-compile: {{.*}}model.safetensors: {{.*}}
//
// RUN: %python %S/Inputs/make-model.py %t.d --use-bias --set use_bias=false
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=BIAS
// BIAS: weight 'backbone.layers.0.mixer.in_proj.bias' is present but the config has use_bias = false
//
// RUN: %python %S/Inputs/make-model.py %t.d --extra backbone.embedding.weight
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TWOTABLES
// TWOTABLES: both 'backbone.embeddings.weight' and 'backbone.embedding.weight' are present: expected one embedding table
//
// RUN: %python %S/Inputs/make-model.py %t.d --drop backbone.embeddings.weight
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTABLE
// NOTABLE: weight 'backbone.embeddings.weight' (or 'backbone.embedding.weight') is missing
//
// RUN: %python %S/Inputs/make-model.py %t.d && rm %t.d/model.safetensors
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOWEIGHTS
// NOWEIGHTS: no *.safetensors file in {{.*}}
//
// RUN: %python %S/Inputs/make-model.py %t.d --set 'torch_dtype="float64"'
// RUN: not mamba-compile %t.d --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TORCHDTYPE
// TORCHDTYPE: config torch_dtype 'float64' is not float32, bfloat16 or float16; choose a dtype
// RUN: mamba-compile %t.d --emit=mlir --dtype=f32 -o /dev/null
//
// RUN: not mamba-compile %t.d --emit=mlir --dtype=int8 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADDTYPE
// BADDTYPE: unknown dtype 'int8': expected auto, f32, bf16 or f16
//
// RUN: not mamba-compile %t.d --emit=ll -o /dev/null 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: mamba-compile: unknown --emit=ll: expected mmod or mlir
