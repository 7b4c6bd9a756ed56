//===- AddBias.cpp - A host kernel written by hand, for the CPU tests -----===//
//
// y[r, c] = x[r, c] + bias[c] for f32 x [R, C] and bias [C], four rows per
// block, with the calling convention of compiled host kernels
// (runtime/include/mamba/Runtime/Cpu/HostCode.h): the launch's parameter
// slots (a memref descriptor per tensor: allocated and aligned pointers,
// offset, sizes, strides), the block's index and the grid's size.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>

namespace {

/// A rank-`R` memref descriptor read from the slots at `slots`.
template <int R> struct Memref {
  float *data;
  int64_t sizes[R], strides[R];

  explicit Memref(const uint64_t *slots) {
    std::memcpy(&data, &slots[1], sizeof(data)); // the aligned pointer
    int64_t offset;
    std::memcpy(&offset, &slots[2], 8);
    data += offset;
    std::memcpy(sizes, &slots[3], 8 * R);
    std::memcpy(strides, &slots[3 + R], 8 * R);
  }
  static constexpr int slots = 3 + 2 * R;
};

} // namespace

extern "C" void add_bias_rows(const uint64_t *params,
                              const uint32_t *blockIndex,
                              const uint32_t *gridSize) {
  Memref<2> x(params);
  Memref<1> bias(params + Memref<2>::slots);
  Memref<2> y(params + Memref<2>::slots + Memref<1>::slots);
  (void)gridSize;
  for (int64_t r = int64_t(blockIndex[0]) * 4;
       r < x.sizes[0] && r < int64_t(blockIndex[0]) * 4 + 4; ++r)
    for (int64_t c = 0; c < x.sizes[1]; ++c)
      y.data[r * y.strides[0] + c * y.strides[1]] =
          x.data[r * x.strides[0] + c * x.strides[1]] +
          bias.data[c * bias.strides[0]];
}
