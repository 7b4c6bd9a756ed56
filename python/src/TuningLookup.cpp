//===- TuningLookup.cpp - The tuning database for the Python ops ----------===//

#include "TuningLookup.h"

#include "RuntimeFailure.h"

#include "mamba/Tuning/TuningDb.h"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace mamba::python {

namespace {

/// One database file, read when constructed.
struct TuningDatabase {
  std::string path;
  tuning::Database db;

  explicit TuningDatabase(const std::string &file) : path(file) {
    std::string error;
    if (!db.read(file, error))
      throw RuntimeFailure(error);
  }

  /// The scan tiling for `target` and signature (d, N, G, dtype) whose
  /// bucket is nearest (batch, length), as the tiling attribute's fields
  /// plus the entry's bucket and device; None without one. Entries of
  /// another code generation version are skipped, as mamba-compile skips
  /// them.
  py::object selectScan(const std::string &target, int64_t d, int64_t N,
                        int64_t G, const std::string &dtype, int64_t batch,
                        int64_t length) const {
    if (batch < 1 || length < 1)
      throw py::value_error("select_scan: expected a batch and a length of "
                            "at least 1");
    std::vector<std::string> notes;
    for (const tuning::Entry &e :
         db.select(target, "selective_scan", {batch, length}, notes)) {
      tuning::ScanFields f = tuning::scanFields(e);
      if (e.dtype != dtype || f.d != d || f.N != N || f.G != G)
        continue;
      py::dict tiling;
      tiling["channels_per_block"] = f.channelsPerBlock;
      tiling["states_per_thread"] = f.statesPerThread;
      tiling["chunk_length"] = f.chunkLength;
      tiling["sequence_splits"] = f.sequenceSplits;
      tiling["bucket"] = py::make_tuple(e.bucket.batch, e.bucket.length);
      tiling["device"] = e.device;
      return tiling;
    }
    return py::none();
  }

  /// The SSD kernel for `target` and signature (H, P, N, G, dtype) whose
  /// bucket is nearest (batch, length), as #mamba.ssd_kernel's fields plus
  /// the entry's bucket and device; None without one.
  py::object selectSsd(const std::string &target, int64_t H, int64_t P,
                       int64_t N, int64_t G, const std::string &dtype,
                       int64_t batch, int64_t length) const {
    if (batch < 1 || length < 1)
      throw py::value_error("select_ssd: expected a batch and a length of "
                            "at least 1");
    std::vector<std::string> notes;
    for (const tuning::Entry &e :
         db.select(target, "ssd_scan", {batch, length}, notes)) {
      tuning::SsdFields f = tuning::ssdFields(e);
      if (e.dtype != dtype || f.H != H || f.P != P || f.N != N || f.G != G)
        continue;
      py::dict kernel;
      kernel["tensor_cores"] = f.tensorCores;
      kernel["chunk"] = f.chunk;
      kernel["channel_block"] = f.channelBlock;
      kernel["bucket"] = py::make_tuple(e.bucket.batch, e.bucket.length);
      kernel["device"] = e.device;
      return kernel;
    }
    return py::none();
  }
};

} // namespace

void bindTuningLookup(py::module_ &m) {
  py::class_<TuningDatabase>(m, "TuningDatabase")
      .def(py::init<const std::string &>(), py::arg("path"))
      .def_readonly("path", &TuningDatabase::path)
      .def("select_scan", &TuningDatabase::selectScan, py::arg("target"),
           py::arg("d"), py::arg("N"), py::arg("G"), py::arg("dtype"),
           py::arg("batch"), py::arg("length"))
      .def("select_ssd", &TuningDatabase::selectSsd, py::arg("target"),
           py::arg("H"), py::arg("P"), py::arg("N"), py::arg("G"),
           py::arg("dtype"), py::arg("batch"), py::arg("length"));
}

} // namespace mamba::python
