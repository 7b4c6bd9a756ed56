//===- CompilerBindings.cpp - The _mamba_mlir_compiler module -------------===//
//
// mamba-compile's work as one call: a model directory or a .mlir file in,
// a module file out, through the same driver (mamba/Driver/Compile.h). The
// diagnostics MLIR prints for mamba-compile come back in the CompileError's
// message instead; the GIL is released while it compiles.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Driver/Compile.h"
#ifdef MAMBA_HAVE_TUNER
#include "Tune.h"
#endif
#include "mamba/Registration/RegisterMamba.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>

namespace py = pybind11;

namespace {

struct CompileFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Compiles `input` into the module file `output`; false with the stage's
/// error and every diagnostic in `error`. The output is written only once
/// the module is complete.
bool compileModule(const std::string &input, const std::string &output,
                   const mlir::mamba::CompileOptions &options,
                   const std::string &dtype, std::string &error) {
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllMambaDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context,
                                           diagnosticStream);
  auto withDiagnostics = [&](std::string message) {
    if (!diagnostics.empty())
      message += (message.empty() ? "" : "\n") + diagnostics;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    return message;
  };
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::mamba::loadCompileInput(&context, input, dtype, sourceMgr, error);
  if (!module) {
    error = withDiagnostics(error);
    return false;
  }
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(mlir::mamba::compileToModuleFile(*module, options, os, error))) {
    error = withDiagnostics(error);
    return false;
  }
  std::error_code code;
  llvm::raw_fd_ostream file(output, code, llvm::sys::fs::OF_None);
  if (code) {
    error = output + ": cannot be written: " + code.message();
    return false;
  }
  file << bytes;
  file.close();
  if (file.has_error()) {
    error = output + ": writing failed: " + file.error().message();
    file.clear_error();
    return false;
  }
  return true;
}

/// Compiles; returns what the tuning database decided (mamba-compile's
/// "tuning:" notes).
std::vector<std::string>
compile(const std::string &input, const std::string &output,
        const std::vector<std::string> &targets, const std::string &dtype,
        const py::dict &tiling, const std::string &toolkit,
        const std::string &tuningDb, int64_t tuningBatch, int64_t tuningLength,
        bool shippedTuning) {
  mlir::mamba::CompileOptions options;
  options.shippedTuning = shippedTuning;
  std::vector<std::string> notes;
  if (tuningBatch < 1 || tuningLength < 1)
    throw py::value_error("tuning_bucket: expected (batch, length), each at "
                          "least 1");
  options.tuningDb = tuningDb;
  options.tuningBatch = tuningBatch;
  options.tuningLength = tuningLength;
  options.tuningNotes = &notes;
  if (targets.empty())
    throw py::value_error("target: expected at least one GPU architecture "
                          "(sm_90a, sm_80) or CPU level (cpu, x86-64-v3)");
  options.chips = targets;
  options.toolkit = toolkit;
  for (auto item : tiling) {
    std::string name = py::str(item.first);
    int64_t value = item.second.cast<int64_t>();
    if (name == "channels_per_block")
      options.channelsPerBlock = value;
    else if (name == "states_per_thread")
      options.statesPerThread = value;
    else if (name == "chunk_length")
      options.chunkLength = value;
    else if (name == "sequence_splits")
      options.sequenceSplits = value;
    else if (name == "max_registers")
      options.maxRegisters = value;
    else
      throw py::value_error(
          "tiling: unknown option '" + name +
          "' (expected channels_per_block, states_per_thread, chunk_length, "
          "sequence_splits or max_registers)");
  }
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = compileModule(input, output, options, dtype, error);
  }
  if (!ok)
    throw CompileFailure(error);
  return notes;
}

#ifdef MAMBA_HAVE_TUNER
void tune(const mamba::tune::TuneOptions &options) {
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = mamba::tune::tune(options, error);
  }
  if (!ok)
    throw CompileFailure(error);
}
#endif

} // namespace

PYBIND11_MODULE(_mamba_mlir_compiler, m) {
  m.doc() = "mamba-mlir's compile driver (see mamba_mlir.compile)";
  py::object base =
      py::module_::import("mamba_mlir._mamba_mlir").attr("MambaError");
  py::register_exception<CompileFailure>(m, "CompileError", base);
  m.def("compile", &compile, py::arg("input"), py::arg("output"),
        py::arg("targets"), py::arg("dtype"), py::arg("tiling"),
        py::arg("toolkit"), py::arg("tuning_db") = "",
        py::arg("tuning_batch") = 1, py::arg("tuning_length") = 2048,
        py::arg("shipped_tuning") = true);
  m.def("shipped_tuning_dir", &mlir::mamba::shippedTuningDir);
#ifdef MAMBA_HAVE_TUNER
  m.def(
      "tune",
      [](const std::string &input, const std::string &db,
         const std::string &target, const std::string &device,
         const std::string &shapes, const std::string &dtype,
         const std::string &search, double budgetSeconds, int runs, int jobs,
         const std::string &prepare, const std::vector<std::string> &seedDbs) {
        mamba::tune::TuneOptions o;
        o.input = input;
        o.dbPath = db;
        o.target = target;
        o.device = device;
        o.shapes = shapes;
        o.dtype = dtype;
        o.search = search;
        o.budgetSeconds = budgetSeconds;
        o.runs = runs;
        o.jobs = jobs;
        o.prepareDir = prepare;
        o.seedDbs = seedDbs;
        tune(o);
      },
      py::arg("input"), py::arg("db"), py::arg("target"), py::arg("device"),
      py::arg("shapes"), py::arg("dtype"), py::arg("search"),
      py::arg("budget_seconds"), py::arg("runs"), py::arg("jobs"),
      py::arg("prepare"), py::arg("seed_dbs") = std::vector<std::string>());
#endif
  m.def("host_cpu_level", &mlir::mamba::hostCpuLevel,
        "The x86-64 level target \"cpu\" compiles for on this machine");
}
