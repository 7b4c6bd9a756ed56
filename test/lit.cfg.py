# -*- Python -*-
# lit configuration of the mamba-mlir tests.

import os
import shutil
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "MAMBA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "data", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mamba_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mamba_src_root", config.mamba_src_root))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%mamba_tools_dir", config.mamba_tools_dir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# `not` and `count` are run from LLVM's tool directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Hardware-dependent tests say what they need with REQUIRES.
if config.mamba_ptxas and os.path.exists(config.mamba_ptxas):
    config.available_features.add("ptxas")
if shutil.which("nvidia-smi") and os.path.exists("/dev/nvidiactl"):
    config.available_features.add("cuda-gpu")

tool_dirs = [config.mamba_tools_dir, config.llvm_tools_dir]
tools = ["mamba-opt", "mamba-compile", "mamba-mmod-dump", "mamba-run"]
# mamba-tune is built with the tests' support library.
if os.path.exists(os.path.join(config.mamba_tools_dir, "mamba-tune")):
    config.available_features.add("mamba-tune")
    tools.append("mamba-tune")
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Where the kernel refuses a single allocation larger than memory (the
# heuristic overcommit of mode 0, or mode 2) and memory and swap are under
# 64 GiB, a model whose weights take 67 GiB fails to load with an error;
# elsewhere the allocation could succeed and the test would read 67 GB.
def _large_allocations_fail():
    try:
        with open("/proc/sys/vm/overcommit_memory") as f:
            if f.read().strip() == "1":
                return False
        kib = 0
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(("MemTotal:", "SwapTotal:")):
                    kib += int(line.split()[1])
        return kib < 64 * 1024 * 1024
    except (OSError, ValueError):
        return False


if _large_allocations_fail():
    config.available_features.add("large-allocations-fail")
