// Shared definitions for RawGan's CUDA kernels. Kernels are templates instantiated for float and double
// under extern "C" names <op>_<stage>[_<variant>]_<dtype>, each launched by one typed C# launcher
// (src/Kernels/Ops/*Kernels.cs) whose parameter list a CPU-only test checks against the PTX.
#pragma once
#include <stdint.h>

typedef long long i64;

// Grid-stride loop over [0, n): any grid size covers any n.
#define RG_FOR(i, n) \
  for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// Offset of flat index i within a row-major 4-d index space (d0, d1, d2, d3) under strides s0..s3.
// Host code merges contiguous dimensions first, so BigGAN's shapes always fit in four.
__device__ __forceinline__ i64 offset4(i64 i, int d1, int d2, int d3, i64 s0, i64 s1, i64 s2, i64 s3) {
  i64 i3 = i % d3; i /= d3;
  i64 i2 = i % d2; i /= d2;
  i64 i1 = i % d1; i /= d1;
  return i * s0 + i1 * s1 + i2 * s2 + i3 * s3;
}

// Warp and block sums (blockDim.x a multiple of 32, at most 1024).
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
  for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the block; every thread gets the result. `shared` holds at least 32 T.
template <typename T>
__device__ __forceinline__ T block_sum(T v, T* shared) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  int warps = (blockDim.x + 31) >> 5;
  v = lane < warps ? shared[lane] : (T)0;
  return warp_sum(v);
}

template <typename T>
__device__ __forceinline__ T block_max(T v, T* shared) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  int warps = (blockDim.x + 31) >> 5;
  v = lane < warps ? shared[lane] : shared[0];
  return warp_max(v);
}
