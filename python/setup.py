"""Installs mamba_mlir from this source tree into the running Python
(a virtual environment, say):

    python3 -m venv --system-site-packages venv    # numpy from Debian
    venv/bin/python -m pip install --no-build-isolation ./python

The extensions are targets of the project's CMake build: this builds them
in MAMBA_BUILD_DIR (default: the tree's build/, made by scripts/build.sh
when it is not configured yet) and packages them with the Python sources.
_mamba_mlir_compiler (mamba_mlir.compile and the ops) comes along when the
build has the compiler. The interpreter must be the one the build found
(scripts/build.sh picks /usr/bin/python3).
"""

import os
import pathlib
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


class CMakeBuild(build_ext):
    def run(self):
        build = pathlib.Path(os.environ.get("MAMBA_BUILD_DIR",
                                            ROOT / "build"))
        if not (build / "build.ninja").exists():
            subprocess.run(["bash", str(ROOT / "scripts" / "build.sh")],
                           check=True, env=dict(os.environ,
                                                BUILD_DIR=str(build)))
        subprocess.run(["cmake", "--build", str(build), "--target",
                        "mamba_mlir_python"], check=True)
        # Only a build with the compiler has this target.
        compiler = subprocess.run(["cmake", "--build", str(build), "--target",
                                   "_mamba_mlir_compiler"])
        self.staged = build / "python" / "mamba_mlir"
        self.extensions = [e for e in self.extensions
                           if compiler.returncode == 0 or
                           not e.name.endswith("_compiler")]
        super().run()
        # The shipped tuning databases, which the ops use by default.
        tuning = pathlib.Path(self.build_lib) / "mamba_mlir" / "tuning"
        tuning.mkdir(parents=True, exist_ok=True)
        for db in sorted((ROOT / "tuning").glob("*.json")):
            shutil.copyfile(db, tuning / db.name)

    def build_extension(self, ext):
        name = ext.name.split(".")[-1]
        built = sorted(self.staged.glob(f"{name}.*.so"))
        if not built:
            raise RuntimeError(f"{self.staged} has no {name} extension "
                               "after the build")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="mamba_mlir",
    version="0.1.0",
    description="Mamba models compiled by mamba-mlir, run from Python",
    packages=["mamba_mlir"],
    package_dir={"mamba_mlir": str(HERE / "mamba_mlir")},
    ext_modules=[Extension("mamba_mlir._mamba_mlir", sources=[]),
                 Extension("mamba_mlir._mamba_mlir_compiler", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
)
