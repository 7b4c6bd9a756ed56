// Python binding of mamba_ssm's CUDA selective scan, forward only.
//
// Upstream's selective_scan.cpp binds the forward and the backward; the
// backward's six .cu files would double the build and are never timed here.
// So the binding is upstream's file unchanged (the same argument checks and
// parameter setup as the shipped package) plus a stub for the backward's
// kernels, defined in this translation unit so nothing is left unresolved
// when the extension loads. The source folder comes from the fetched
// repository (gpu-carry/peer-src), never from this one.
#include "selective_scan.cpp"

template <typename input_t, typename weight_t>
void selective_scan_bwd_cuda(SSMParamsBwd &, cudaStream_t) {
  TORCH_CHECK(false, "this build of selective_scan has no backward");
}
