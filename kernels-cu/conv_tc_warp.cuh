// The warp-level instructions of the tensor-core convolution (conv_tc.cu), one small device function each:
// cp.async (16 bytes global → shared, zero-filling past a byte count) with its commit and wait, ldmatrix (four 8x8
// b16 matrices, plain or transposed), a 32-bit shared load for the fragments ldmatrix cannot build (TF32 operands
// stored m- or n-contiguous), mma.sync m16n8k8 (TF32) and m16n8k16 (bf16) with float32 accumulators, TF32
// rounding (cvt.rna) and the block's dynamic shared memory. tools/kernel-emu defines RAWGAN_KERNEL_EMU and supplies
// host versions of exactly these functions, with the fragment layouts of the PTX ISA, so that the kernels
// themselves run unchanged under the emulator.
#pragma once
#include "common.cuh"

#ifndef RAWGAN_KERNEL_EMU

__device__ __forceinline__ unsigned shared_address(const void* p) { return (unsigned)__cvta_generic_to_shared(p); }

// Copies `bytes` (0 or 16) from global `src` to shared `dst` and zero-fills the rest of the 16; `src` must be a valid,
// 16-byte aligned address even when `bytes` is 0.
__device__ __forceinline__ void cp_async_16(void* dst, const void* src, int bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_address(dst)), "l"(src), "r"(bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most N of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// Four 8x8 matrices of 16-bit elements: lanes 8i..8i+7 give the 16-byte rows of matrix i; register i of lane l
// holds row l/4, elements 2(l%4) and 2(l%4)+1 of matrix i (transposed: elements (2(l%4), l/4) and (2(l%4)+1, l/4)).
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(row)));
}

__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(row)));
}

__device__ __forceinline__ unsigned lds_u32(const void* p) { return *reinterpret_cast<const volatile unsigned*>(p); }

// d += a·b for a 16x8x8 TF32 product: a (16x8, row) in four registers, b (8x8, col) in two, d (16x8) in four.
__device__ __forceinline__ void mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
  asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// d += a·b for a 16x8x16 bfloat16 product: two bfloat16 per register, the lower column (or row of b) in the low half.
__device__ __forceinline__ void mma_bf16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// `v` rounded to TF32 (10 mantissa bits, to nearest with ties away from zero), as a float with 13 zero low bits.
__device__ __forceinline__ float round_tf32(float v) {
  unsigned r;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(v));
  return __uint_as_float(r);
}

// The block's dynamic shared memory (its size is the launch's sharedBytes).
__device__ __forceinline__ char* dynamic_smem() {
  extern __shared__ __align__(128) char conv_tc_smem[];
  return conv_tc_smem;
}

#endif
