// RUN: mamba-opt %s -split-input-file -mamba-lower-bf16-mma-sync -verify-diagnostics | FileCheck %s

// A bf16 m16n8k16 product: A's four rows and B's two, each two bf16, packed
// into i32 words; nvvm.mma.sync with bf16 multiplicands (A row-major, B
// column-major); its four f32 sums back as the [2][2] accumulator. f16
// products are left to convert-nvgpu-to-nvvm.
// CHECK-LABEL: func.func @bf16
// CHECK-COUNT-6: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK:         %[[MMA:.*]] = nvvm.mma.sync A[{{.*}}, {{.*}}, {{.*}}, {{.*}}] B[{{.*}}, {{.*}}] C[{{.*}}, {{.*}}, {{.*}}, {{.*}}]
// CHECK-SAME:      layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>
// CHECK-SAME:      multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>
// CHECK-SAME:      shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-SAME:      (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-4: llvm.extractvalue %[[MMA]]
// CHECK:         vector.from_elements {{.*}} : vector<2x2xf32>
// CHECK:         nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>)
func.func @bf16(%a: vector<4x2xbf16>, %b: vector<2x2xbf16>, %c: vector<2x2xf32>, %ah: vector<4x2xf16>, %bh: vector<2x2xf16>) -> (vector<2x2xf32>, vector<2x2xf32>) {
  %r = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
  %h = nvgpu.mma.sync (%ah, %bh, %c) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
  return %r, %h : vector<2x2xf32>, vector<2x2xf32>
}

// -----

// Other bf16 shapes are refused by name.
func.func @m16n8k8(%a: vector<2x2xbf16>, %b: vector<1x2xbf16>, %c: vector<2x2xf32>) -> vector<2x2xf32> {
  // expected-error @+1 {{'nvgpu.mma.sync' op with bf16 operands is lowered for m16n8k16 with f32 sums only}}
  %r = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 8]} : (vector<2x2xbf16>, vector<1x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
  return %r : vector<2x2xf32>
}
