//===- OpenDevice.h - The backend a module runs on --------------*- C++ -*-===//
//
// A device name, as `mamba-run --device` and the Python module's `device=`
// take it, to a backend: "cpu", "cuda" (GPU 0), "cuda:N", or "auto" (the
// GPU when the driver sees one and the module has code for it, else the
// CPU). Built with whichever backends this build has; a name whose backend
// is missing is an error that says so.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_OPENDEVICE_H
#define MAMBA_RUNTIME_OPENDEVICE_H

#include "mamba/Runtime/Device/Backend.h"
#include "mamba/Runtime/Format.h"

#include <memory>
#include <string>

namespace mamba::runtime {

struct DeviceRequest {
  std::string device = "auto";
  /// CPU threads; 0: MAMBA_THREADS, else the cores this process may use.
  int threads = 0;
};

/// A backend and what it runs on (the CUDA device it holds open).
class OpenedDevice {
public:
  Backend &backend() const { return *backend_; }
  bool isOpen() const { return backend_ != nullptr; }

private:
  friend bool openDevice(const ModuleFile &, const std::string &,
                         const DeviceRequest &, OpenedDevice &, std::string &);
  // Declared first, destroyed last: the backend uses it.
  std::shared_ptr<void> context_;
  std::unique_ptr<Backend> backend_;
};

/// Opens the backend `request` names for the module `file` (read from
/// `modulePath`, named in messages). False, naming what is missing (code
/// for that device in the module, a GPU, a backend in this build), or the
/// device name that is not one of the forms above.
bool openDevice(const ModuleFile &file, const std::string &modulePath,
                const DeviceRequest &request, OpenedDevice &out,
                std::string &error);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_OPENDEVICE_H
