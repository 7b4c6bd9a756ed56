//===- Cuda.h - The CUDA backend, every object ------------------*- C++ -*-===//
//
// The GPU half of the runtime: a device and its primary context, device
// buffers, a module file's kernels loaded onto a device, and running a
// compiled function. Only the CUDA driver API is used, and libcuda.so.1 is
// opened at run time rather than linked, so that a program built with this
// library starts on a machine without the NVIDIA driver and can report that
// there is no GPU instead of failing to load.
//
// Every driver call is checked; a failure is a false return with a message
// naming the call, the CUresult (its name and text) and what was being done.
// No exception leaves this API.
//
// Lifetimes: a Device must outlive the buffers and modules made on it, and a
// ModuleFile the LoadedModule made from it. Each operation makes the right
// context current for its own duration, so callers need not manage contexts.
//
// One header per object, in Cuda/; this one includes them all.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_H
#define MAMBA_RUNTIME_CUDA_H

#include "mamba/Runtime/Cuda/Device.h"
#include "mamba/Runtime/Cuda/DeviceBuffer.h"
#include "mamba/Runtime/Cuda/Event.h"
#include "mamba/Runtime/Cuda/Graph.h"
#include "mamba/Runtime/Cuda/LoadedModule.h"
#include "mamba/Runtime/Cuda/PreparedCall.h"
#include "mamba/Runtime/Cuda/Stream.h"

#endif // MAMBA_RUNTIME_CUDA_H
