// Shared definitions for RawGan's CUDA kernels. Kernels are templates instantiated for float and double
// under extern "C" names <op>_<stage>[_<variant>]_<dtype>, each launched by one typed C# launcher
// (src/Kernels/Ops/*Kernels.cs) whose parameter list a CPU-only test checks against the PTX.
#pragma once
#include <stdint.h>

typedef long long i64;

// bfloat16 storage: the upper half of a float32, with RawGan.Engine.BFloat16's rules (round to nearest even; a NaN
// stays a quiet NaN with its sign; past the largest finite value, infinity). Kernels instantiated for bf16 load
// through widen() and store through narrow<T>(), computing in float.
typedef unsigned short bf16;

__device__ __forceinline__ float bf16_to_f32(bf16 h) { return __uint_as_float((unsigned)h << 16); }

__device__ __forceinline__ bf16 f32_to_bf16(float f) {
  unsigned u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
  return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// The arithmetic type of a storage type, and the conversions between them.
template <typename T> struct Arith { typedef T type; };
template <> struct Arith<bf16> { typedef float type; };
__device__ __forceinline__ float widen(float v) { return v; }
__device__ __forceinline__ double widen(double v) { return v; }
__device__ __forceinline__ float widen(bf16 v) { return bf16_to_f32(v); }
template <typename T> __device__ __forceinline__ T narrow(typename Arith<T>::type v) { return v; }
template <> __device__ __forceinline__ bf16 narrow<bf16>(float v) { return f32_to_bf16(v); }

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

// ---- memory-bound kernels: storage vs arithmetic type, 16-byte packs, division by multiplication -----------------

// The arithmetic type of a storage type: memory-bound kernels load T, compute in Acc<T>, store T. float and double
// compute in themselves; bf16 computes in float (loads through widen(), stores through narrow<T>()).
template <typename T> struct AccOf { typedef T type; };
template <> struct AccOf<bf16> { typedef float type; };
template <typename T> using Acc = typename AccOf<T>::type;

// W consecutive elements moved by one load or store: W = 16 / sizeof(T) is one 16-byte vector access.
template <typename T, int W>
struct alignas(sizeof(T) * W) Elems {
  T v[W];
};
template <typename T> struct PackWidth { static constexpr int value = 16 / (int)sizeof(T); };

template <typename T, int W>
__device__ __forceinline__ Elems<T, W> load_elems(const T* p) { return *reinterpret_cast<const Elems<T, W>*>(p); }
template <typename T, int W>
__device__ __forceinline__ void store_elems(T* p, const Elems<T, W>& e) { *reinterpret_cast<Elems<T, W>*>(p) = e; }

__device__ __forceinline__ bool aligned16(const void* p) { return ((unsigned long long)p & 15) == 0; }

// The streaming loop of the elementwise kernels over `units` loads (W-element packs), four per thread per iteration:
// load(j, u) runs for all four before store(j, u) runs for any, so that four loads are in flight per thread.
template <typename Load, typename Store>
__device__ __forceinline__ void stream_units(i64 units, Load load, Store store) {
  const i64 stride = (i64)gridDim.x * blockDim.x;
  for (i64 u0 = (i64)blockIdx.x * blockDim.x + threadIdx.x; u0 < units; u0 += 4 * stride) {
#pragma unroll
    for (int j = 0; j < 4; j++) {
      if (u0 + j * stride < units) load(j, u0 + j * stride);
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
      if (u0 + j * stride < units) store(j, u0 + j * stride);
    }
  }
}

// n / d for 0 ≤ n < 2^31 by a multiply-high, an add and a shift (Granlund and Montgomery; PyTorch's IntDivider):
// a thread builds the divider once, and its loop then runs no division sequence.
struct FastDiv {
  unsigned d, m, s;
  __device__ explicit FastDiv(unsigned divisor) : d(divisor), s(0) {
    while ((1ull << s) < d) s++;
    m = (unsigned)((((1ull << 32) * ((1ull << s) - d)) / d) + 1);
  }
  __device__ __forceinline__ unsigned div(unsigned n) const { return (__umulhi(n, m) + n) >> s; }
};
