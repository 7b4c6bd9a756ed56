//===- NaiveScan.cu - Hand-written selective scans for the runtime tests --===//
//
// Kernels with exactly the calling convention of the compiler's kernels (each
// tensor an expanded MLIR memref descriptor: allocated pointer, aligned
// pointer, offset, sizes, strides), so that the runtime and the GPU test
// harness can be checked on the GPU independently of the compiler. They index
// through the descriptor's sizes and strides, so a wrongly packed descriptor
// gives wrong numbers, not a lucky pass.
//
// One thread per (batch, channel), the state in registers; correctness is all
// that matters here.
//
//===----------------------------------------------------------------------===//

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace {

constexpr int kMaxStates = 64;

template <typename T> struct View {
  T *data = nullptr; ///< nullptr: the optional operand is absent
  int64_t offset = 0;
  int64_t size[4] = {};
  int64_t stride[4] = {};

  __device__ T &at(int64_t i0, int64_t i1 = 0, int64_t i2 = 0,
                   int64_t i3 = 0) const {
    return data[offset + i0 * stride[0] + i1 * stride[1] + i2 * stride[2] +
                i3 * stride[3]];
  }
};

template <typename T>
__device__ View<T> view(T *aligned, int64_t offset, const int64_t *sizes,
                        const int64_t *strides, int rank) {
  View<T> v;
  v.data = aligned;
  v.offset = offset;
  for (int i = 0; i < rank; ++i) {
    v.size[i] = sizes[i];
    v.stride[i] = strides[i];
  }
  return v;
}

__device__ float toFloat(float v) { return v; }
__device__ float toFloat(__half v) { return __half2float(v); }
__device__ float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ T fromFloat(float v);
template <> __device__ float fromFloat<float>(float v) { return v; }
template <> __device__ __half fromFloat<__half>(float v) {
  return __float2half_rn(v);
}
template <> __device__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

template <typename T>
__device__ void scan(View<T> u, View<T> delta, View<float> A, View<T> B,
                     View<T> C, View<float> D, View<T> z, View<float> bias,
                     View<float> init, View<T> y, View<float> final,
                     bool softplus) {
  int64_t batch = u.size[0], channels = u.size[1], length = u.size[2];
  int64_t states = A.size[1], groups = B.size[1];
  int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  int64_t bi = blockIdx.y;
  if (c >= channels || bi >= batch || states > kMaxStates)
    return;
  int64_t g = c / (channels / groups);

  float h[kMaxStates];
  for (int64_t n = 0; n < states; ++n)
    h[n] = init.data ? init.at(bi, c, n) : 0.0f;
  for (int64_t t = 0; t < length; ++t) {
    float dt = toFloat(delta.at(bi, c, t)) + (bias.data ? bias.at(c) : 0.0f);
    if (softplus && dt <= 20.0f)
      dt = log1pf(expf(dt));
    float ut = toFloat(u.at(bi, c, t));
    float out = 0.0f;
    for (int64_t n = 0; n < states; ++n) {
      h[n] =
          expf(dt * A.at(c, n)) * h[n] + dt * toFloat(B.at(bi, g, n, t)) * ut;
      out += toFloat(C.at(bi, g, n, t)) * h[n];
    }
    if (D.data)
      out += D.at(c) * ut;
    if (z.data) {
      float zt = toFloat(z.at(bi, c, t));
      out *= zt / (1.0f + expf(-zt));
    }
    y.at(bi, c, t) = fromFloat<T>(out);
  }
  if (final.data)
    for (int64_t n = 0; n < states; ++n)
      final.at(bi, c, n) = h[n];
}

} // namespace

// Parameter lists of memref descriptors, rank by rank.
#define MEMREF(T, name, rank)                                                  \
  T *name##Allocated, T *name, int64_t name##Offset, MEMREF_##rank(name)
#define MEMREF_1(n) int64_t n##Size0, int64_t n##Stride0
#define MEMREF_2(n)                                                            \
  int64_t n##Size0, int64_t n##Size1, int64_t n##Stride0, int64_t n##Stride1
#define MEMREF_3(n)                                                            \
  int64_t n##Size0, int64_t n##Size1, int64_t n##Size2, int64_t n##Stride0,    \
      int64_t n##Stride1, int64_t n##Stride2
#define MEMREF_4(n)                                                            \
  int64_t n##Size0, int64_t n##Size1, int64_t n##Size2, int64_t n##Size3,      \
      int64_t n##Stride0, int64_t n##Stride1, int64_t n##Stride2,              \
      int64_t n##Stride3

#define VIEW_1(n)                                                              \
  view(n, n##Offset, (int64_t[]){n##Size0}, (int64_t[]){n##Stride0}, 1)
#define VIEW_2(n)                                                              \
  view(n, n##Offset, (int64_t[]){n##Size0, n##Size1},                          \
       (int64_t[]){n##Stride0, n##Stride1}, 2)
#define VIEW_3(n)                                                              \
  view(n, n##Offset, (int64_t[]){n##Size0, n##Size1, n##Size2},                \
       (int64_t[]){n##Stride0, n##Stride1, n##Stride2}, 3)
#define VIEW_4(n)                                                              \
  view(n, n##Offset, (int64_t[]){n##Size0, n##Size1, n##Size2, n##Size3},      \
       (int64_t[]){n##Stride0, n##Stride1, n##Stride2, n##Stride3}, 4)

// f32, no optional operands, no final state, no softplus.
extern "C" __global__ void
naive_scan_f32(MEMREF(float, u, 3), MEMREF(float, delta, 3),
               MEMREF(float, A, 2), MEMREF(float, B, 4), MEMREF(float, C, 4),
               MEMREF(float, y, 3)) {
  scan<float>(VIEW_3(u), VIEW_3(delta), VIEW_2(A), VIEW_4(B), VIEW_4(C), {}, {},
              {}, {}, VIEW_3(y), {}, false);
}

// bf16 with every optional operand, softplus and the final state.
extern "C" __global__ void
naive_scan_bf16_full(MEMREF(__nv_bfloat16, u, 3),
                     MEMREF(__nv_bfloat16, delta, 3), MEMREF(float, A, 2),
                     MEMREF(__nv_bfloat16, B, 4), MEMREF(__nv_bfloat16, C, 4),
                     MEMREF(float, D, 1), MEMREF(__nv_bfloat16, z, 3),
                     MEMREF(float, bias, 1), MEMREF(float, init, 3),
                     MEMREF(__nv_bfloat16, y, 3), MEMREF(float, final, 3)) {
  scan<__nv_bfloat16>(VIEW_3(u), VIEW_3(delta), VIEW_2(A), VIEW_4(B), VIEW_4(C),
                      VIEW_1(D), VIEW_3(z), VIEW_1(bias), VIEW_3(init),
                      VIEW_3(y), VIEW_3(final), true);
}

// f16 with D and z, softplus, no final state.
extern "C" __global__ void
naive_scan_f16_dz(MEMREF(__half, u, 3), MEMREF(__half, delta, 3),
                  MEMREF(float, A, 2), MEMREF(__half, B, 4),
                  MEMREF(__half, C, 4), MEMREF(float, D, 1),
                  MEMREF(__half, z, 3), MEMREF(__half, y, 3)) {
  scan<__half>(VIEW_3(u), VIEW_3(delta), VIEW_2(A), VIEW_4(B), VIEW_4(C),
               VIEW_1(D), VIEW_3(z), {}, {}, VIEW_3(y), {}, true);
}
