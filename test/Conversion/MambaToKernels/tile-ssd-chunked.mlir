// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-chunked -canonicalize -cse | FileCheck %s
// RUN: mamba-opt %s -split-input-file -mamba-tile-ssd-chunked -canonicalize -cse | FileCheck %s --check-prefix=COUNT

// mamba2-130m's head size (P = 64, N = 128) for 4 heads with every option:
// a block of 4 warps per head and batch row (16 channels a warp). With
// seq_idx, chunks of 64 do not fit 48 KiB of shared memory: chunks of 32,
// B and C [32][128 + 8], x [32][64 + 8], G [32][32 + 8], per position dt,
// dt A and cum, and the sequence numbers of the chunk and the position
// before it. The state is 16 n tiles of mma accumulators carried through
// the walk over the chunks, started from the initial states.
// CHECK-LABEL: func.func @all_options
// CHECK:      scf.forall (%{{.*}}, %[[B:.*]]) in (4, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (128) {
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<32x136xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<32x72xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<32x40xbf16, #gpu.address_space<workgroup>>
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<33xi32, #gpu.address_space<workgroup>>
// CHECK:          tensor.extract %{{.*}}[%[[B]], %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x4x64x128xf32>
// CHECK:          memref.extract_aligned_pointer_as_index
// CHECK:          %[[S:.*]]:16 = scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args({{.*}}) -> (vector<2x2xf32>,
// The chunk is staged: a whole chunk of aligned buffers as 16-byte loads,
// 8 in flight before their stores, else piece by piece with zeros past the
// end. Then dt (bias, softplus, clamps) and dt A per position, and their
// running sum.
// CHECK:            scf.if
// CHECK-COUNT-8:      vector.load %{{.*}} {alignment = 16 : i64} : memref<?x?x1x128xbf16>, vector<8xbf16>
// CHECK-COUNT-8:      vector.store %{{.*}} {alignment = 16 : i64} : memref<32x136xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK:            } else {
// CHECK:              vector.transfer_read
// CHECK:            arith.maximumf
// CHECK:            arith.minimumf
// CHECK:            gpu.barrier
// CHECK:            scf.for
// CHECK:            gpu.barrier
// G = C B^T on the warps' tiles, masked and scaled, stored in bf16.
// CHECK:            nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<32x136xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:            nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK:            math.exp
// CHECK:            arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK:            gpu.barrier
// y^T: the state rounded to bf16 as the A operand, then x^T (transposed
// tiles) times G; y = y + D x, times silu(z).
// CHECK:            arith.truncf %{{.*}} : vector<4x2xf32> to vector<4x2xbf16>
// CHECK:            nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = true} : memref<32x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:            memref.store %{{.*}}, %{{.*}}[%[[B]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x4x64xbf16>
// The state update: B's tiles transposed.
// CHECK:            nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = true} : memref<32x136xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:            gpu.barrier
// CHECK:            scf.yield
// CHECK:          memref.store %{{.*}}, %{{.*}}[%[[B]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x4x64x128xf32>
//
// Per chunk: G, 3 tiles of 16 x 16 over N / 16 = 8 k steps, 2 products
// each (48); the state's share of y, 8 k steps x 4 position tiles (32);
// G's, the 3 (position, k) pairs on and below the diagonal x 2 (6); the
// state update, 2 k steps x 16 n tiles (32).
// COUNT-LABEL: func.func @all_options
// COUNT-COUNT-118: nvgpu.mma.sync
// COUNT-NOT: nvgpu.mma.sync
// COUNT: return
func.func @all_options(%x: tensor<?x?x4x64xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>, %D: tensor<4x64xf32>, %z: tensor<?x?x4x64xbf16>, %bias: tensor<4xf32>, %h0: tensor<?x4x64x128xf32>, %seq: tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>) {
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) initial_states(%h0) seq_idx(%seq) dt_softplus {chunk_size = 64 : i64, dt_min = 0.001 : f64, dt_max = 0.5 : f64} : (tensor<?x?x4x64xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16>, tensor<4x64xf32>, tensor<?x?x4x64xbf16>, tensor<4xf32>, tensor<?x4x64x128xf32>, tensor<?x?xi32>) -> (tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>)
  return %y, %s : tensor<?x?x4x64xbf16>, tensor<?x4x64x128xf32>
}

// -----

// Two groups of N = 64, P = 32 in f16: chunks of 64 fit, a block of two
// warps per head (8 heads), B and C of the head's group.
// CHECK-LABEL: func.func @groups_f16
// CHECK:      scf.forall (%{{.*}}, %{{.*}}) in (8, %{{.*}}) {
// CHECK:        scf.forall (%{{.*}}) in (64) {
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<64x72xf16, #gpu.address_space<workgroup>>
// CHECK-DAG:      memref.alloc() {alignment = 16 : i64} : memref<64x40xf16, #gpu.address_space<workgroup>>
// CHECK:          scf.for {{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>) {
// CHECK:            nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// COUNT-LABEL: func.func @groups_f16
func.func @groups_f16(%x: tensor<?x?x8x32xf16>, %dt: tensor<?x?x8xf16>, %A: tensor<8xf32>, %B: tensor<?x?x2x64xf16>, %C: tensor<?x?x2x64xf16>) -> tensor<?x?x8x32xf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<?x?x8x32xf16>, tensor<?x?x8xf16>, tensor<8xf32>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16>) -> tensor<?x?x8x32xf16>
  return %y : tensor<?x?x8x32xf16>
}

// -----

// f32 scans, and sizes the kernel does not take, are left for the
// per-step recurrence (mamba-tile-ssd-scan).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: mamba.ssd_scan
func.func @left_alone(%x: tensor<1x16x2x16xf32>, %dt: tensor<1x16x2xf32>, %A: tensor<2xf32>, %B: tensor<1x16x1x16xf32>, %xh: tensor<1x16x2x8xbf16>, %dth: tensor<1x16x2xbf16>, %Bh: tensor<1x16x1x16xbf16>, %Bw: tensor<1x16x1x512xbf16>, %xw: tensor<1x16x2x16xbf16>) -> (tensor<1x16x2x16xf32>, tensor<1x16x2x8xbf16>, tensor<1x16x2x16xbf16>) {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %B : (tensor<1x16x2x16xf32>, tensor<1x16x2xf32>, tensor<2xf32>, tensor<1x16x1x16xf32>, tensor<1x16x1x16xf32>) -> tensor<1x16x2x16xf32>
  // P = 8 is not a multiple of 16.
  %y2 = mamba.ssd_scan %xh, %dth, %A, %Bh, %Bh : (tensor<1x16x2x8xbf16>, tensor<1x16x2xbf16>, tensor<2xf32>, tensor<1x16x1x16xbf16>, tensor<1x16x1x16xbf16>) -> tensor<1x16x2x8xbf16>
  // N = 512 is more than 256.
  %y3 = mamba.ssd_scan %xw, %dth, %A, %Bw, %Bw : (tensor<1x16x2x16xbf16>, tensor<1x16x2xbf16>, tensor<2xf32>, tensor<1x16x1x512xbf16>, tensor<1x16x1x512xbf16>) -> tensor<1x16x2x16xbf16>
  return %y, %y2, %y3 : tensor<1x16x2x16xf32>, tensor<1x16x2x8xbf16>, tensor<1x16x2x16xbf16>
}
