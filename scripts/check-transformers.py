#!/usr/bin/env python3
"""Checks compiled models against Hugging Face transformers' own Mamba and
Mamba-2.

Run on the GPU machine (torch and transformers there), with module files
compiled here from the configs in scripts/check-models (mamba-compile
needs only the weights' names and shapes, which
scripts/make-checkpoint-shapes.py writes):

  for m in tiny 130m mamba2-tiny mamba2-130m; do
    python3 scripts/make-checkpoint-shapes.py scripts/check-models/$m.json /tmp/$m
    for d in f32 bf16; do
      build/bin/mamba-compile /tmp/$m -o build/check-models/$m-$d.mmod --dtype=$d
    done
  done
  python3 scripts/check-transformers.py --mamba-run build/bin/mamba-run \\
      --modules build/check-models

For each config this builds a random-weight MambaForCausalLM or
Mamba2ForCausalLM (by the config's model_type; seeded), saves
it with safetensors, runs mamba-run on a batch of random prompts with greedy
decoding and --dump-logits, and compares with transformers in float32:
prefill logits, the logits of every decode step (against a full forward
over the tokens so far), and the greedy tokens. Limits (relative L2): f32
1e-4 with identical greedy tokens, bf16 2e-2. A bf16 module computes with
the weights rounded to bf16 (all but A_log, D and the time-step bias), so
its reference is transformers in float32 on those rounded weights: the
limit measures the arithmetic, not the rounding of the weights, whose own
effect is printed beside it (at the 130m shapes it is about 1.5e-2 for
Mamba-2 with the configs' initializer_range of 0.02, and 0.27 with
transformers' default 0.1, under which the random model is chaotic).
A second run without
--dump-logits (greedy from the decode step's own argmax on the GPU) must
give the tokens of the first. Exits 1 when a check fails.

transformers' Mamba-2 normalises the gated output over all of d_inner, the
models' training (mamba_ssm) per group of d_inner / n_groups: the configs
here keep n_groups = 1, where both agree (the golden cases cover groups).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

LIMITS = {"f32": 1e-4, "bf16": 2e-2}
# The weights a bf16 module keeps in float32 (the importer's Float32 role).
FLOAT32_WEIGHTS = ("mixer.A_log", "mixer.D", "mixer.dt_bias",
                   "mixer.dt_proj.bias")


def rel_l2(actual, expected):
    import torch
    return (torch.linalg.vector_norm(actual.double() - expected.double()) /
            torch.linalg.vector_norm(expected.double())).item()


def reference(model, prompt, new_tokens):
    """Prefill logits, and greedy tokens with the logits each was drawn
    from, by full recompute (the truth that a decode step must match)."""
    import torch
    with torch.no_grad():
        prefill = model(prompt).logits.float()
        seq, steps = prompt, []
        for _ in range(new_tokens):
            logits = model(seq).logits[:, -1].float()
            steps.append(logits)
            seq = torch.cat([seq, logits.argmax(-1, keepdim=True)], dim=1)
    return prefill, torch.stack(steps), seq[:, prompt.shape[1]:]


def rounded_to_bf16(model):
    """A float32 copy of the model with the weights a bf16 module reads:
    rounded to bf16, but for FLOAT32_WEIGHTS."""
    import copy
    import torch
    rounded = copy.deepcopy(model)
    with torch.no_grad():
        for name, p in rounded.named_parameters():
            if not name.endswith(FLOAT32_WEIGHTS):
                p.copy_(p.bfloat16().float())
    return rounded


def run_mamba(args, module, weights, prompt, new_tokens, extra=()):
    """mamba-run's greedy tokens per row, and what it printed."""
    import torch
    ids = ";".join(",".join(str(int(t)) for t in row) for row in prompt.tolist())
    cmd = [args.mamba_run, module, "--weights", weights, "--prompt-ids", ids,
           "--max-new-tokens", str(new_tokens), *extra]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{out.stderr}")
    tokens = [[int(t) for t in line.split(":")[1].split()]
              for line in out.stdout.splitlines() if line.startswith("row ")]
    return torch.tensor(tokens), out.stdout


def run_ours(args, module, weights, prompt, new_tokens, vocab):
    """Logits dumped by mamba-run (its sampler on the host reads them), the
    tokens drawn from them and the log."""
    import torch
    dump = os.path.join(weights, "logits.f32")
    tokens, log = run_mamba(args, module, weights, prompt, new_tokens,
                            ["--dump-logits", dump])
    b, L = prompt.shape
    raw = torch.from_file(dump, size=b * L * vocab + (new_tokens - 1) * b * vocab,
                          dtype=torch.float32)
    prefill = raw[: b * L * vocab].view(b, L, vocab)
    steps = raw[b * L * vocab:].view(new_tokens - 1, b, vocab)
    return prefill, steps, tokens, log


def perturb(model, generator):
    """Transformers initializes norms to ones and D to ones (and Mamba-2's
    biases to zeros); random values there make the check see those weights
    too."""
    import torch
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or name.endswith("norm_f.weight") \
                    or name.endswith("mixer.D"):
                p.add_(0.2 * torch.randn(p.shape, generator=generator))
            elif name.endswith("proj.bias"):
                p.add_(0.02 * torch.randn(p.shape, generator=generator))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mamba-run", required=True)
    parser.add_argument("--modules", required=True,
                        help="directory with NAME-f32.mmod and NAME-bf16.mmod")
    parser.add_argument("--configs", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "check-models"))
    parser.add_argument("--models",
                        default="tiny,130m,mamba2-tiny,mamba2-130m")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtypes", default="f32,bf16")
    parser.add_argument("--float64", action="store_true",
                        help="also run transformers in float64 and report "
                             "both implementations' prefill error against it")
    parser.add_argument("--no-perturb", action="store_true",
                        help="keep transformers' initial norm and D weights")
    parser.add_argument("--keep", metavar="DIR",
                        help="save the random-weight models under DIR "
                             "(else a temporary directory)")
    args = parser.parse_args()
    try:
        import torch
        import transformers
    except ImportError as e:
        sys.exit(f"check-transformers: needs torch and transformers ({e})")

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        for name in args.models.split(","):
            with open(os.path.join(args.configs, name + ".json")) as f:
                config = json.load(f)
            g = torch.Generator().manual_seed(args.seed)
            torch.manual_seed(args.seed)
            family = "Mamba2" if config.get("model_type") == "mamba2" \
                else "Mamba"
            model_class = getattr(transformers, family + "ForCausalLM")
            config_class = getattr(transformers, family + "Config")
            model = model_class(config_class(**config)).eval()
            if not args.no_perturb:
                perturb(model, g)
            weights = os.path.join(tmp, name)
            model.save_pretrained(weights, safe_serialization=True)
            model = model.to(device)
            length = 37 if name.endswith("tiny") else 64
            prompt = torch.randint(config["vocab_size"], (args.batch, length),
                                   generator=g)
            refs = {}
            for dtype in args.dtypes.split(","):
                ref_model = rounded_to_bf16(model) if dtype == "bf16" \
                    else model
                refs[dtype] = [r.cpu() for r in reference(
                    ref_model, prompt.to(device), args.new_tokens)]
                del ref_model
            if "f32" in refs:
                ref_prefill = refs["f32"][0]
            else:
                with torch.no_grad():
                    ref_prefill = model(prompt.to(device)).logits.float().cpu()
            if args.float64:
                with torch.no_grad():
                    exact = model.double()(prompt.to(device)).logits.cpu()
                with torch.no_grad():
                    half = model.bfloat16()(prompt.to(device)).logits.cpu()
                model = model.float()
                print(f"{name}: transformers f32 vs f64 prefill rel L2 "
                      f"{rel_l2(ref_prefill, exact):.2e}; transformers bf16 "
                      f"vs f64 {rel_l2(half.float(), exact):.2e}")
            for dtype in args.dtypes.split(","):
                module = os.path.join(args.modules, f"{name}-{dtype}.mmod")
                prefill, steps, tokens, log = run_ours(
                    args, module, weights, prompt, args.new_tokens,
                    config["vocab_size"])
                # Without --dump-logits greedy decoding takes the decode
                # step's argmax on the GPU: the same tokens from the same
                # logits.
                gpu_tokens, log = run_mamba(args, module, weights, prompt,
                                            args.new_tokens)
                gpu_same = bool((gpu_tokens == tokens).all())
                ref_prefill_d, ref_steps, ref_tokens = refs[dtype]
                prefill_err = rel_l2(prefill, ref_prefill_d)
                if dtype == "bf16":
                    print(f"{name} bf16: transformers f32 on bf16-rounded "
                          f"weights vs on float32 weights, prefill rel L2 "
                          f"{rel_l2(ref_prefill_d, ref_prefill):.2e}; ours "
                          f"vs float32 weights "
                          f"{rel_l2(prefill, ref_prefill):.2e}")
                if args.float64:
                    print(f"{name} {dtype}: ours vs f64 prefill rel L2 "
                          f"{rel_l2(prefill, exact):.2e}")
                # Step s was drawn after the first s + 1 new tokens; compare
                # where both saw the same tokens (all steps in f32).
                same = (tokens == ref_tokens).all(0).long().cumprod(0).sum().item()
                n = min(same, args.new_tokens - 1)
                decode_err = max([rel_l2(steps[s], ref_steps[s + 1])
                                  for s in range(n)], default=0.0)
                identical = bool((tokens == ref_tokens).all())
                limit = LIMITS[dtype]
                ok = prefill_err <= limit and decode_err <= limit and \
                    (identical or dtype != "f32") and gpu_same
                failed |= not ok
                rate = [l for l in log.splitlines() if "tokens/s" in l]
                rows.append((name, dtype, prefill_err, decode_err, n,
                             f"{same}/{args.new_tokens}",
                             "yes" if gpu_same else "NO", limit,
                             "PASS" if ok else "FAIL",
                             rate[0] if rate else ""))
    print("| model | dtype | prefill rel L2 | decode rel L2 (worst) | steps "
          "compared | greedy same | GPU argmax same | limit | result |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.2e} | {r[3]:.2e} | {r[4]} | {r[5]} | "
              f"{r[6]} | {r[7]:.0e} | {r[8]} |")
    for r in rows:
        print(f"{r[0]} {r[1]}: {r[9]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
