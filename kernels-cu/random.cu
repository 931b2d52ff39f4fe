// Random numbers: Philox4x32-10, uniform, normal (Box–Muller) and truncated normal (resampling), bit-identical
// to the CPU backend for the same seed and offset. The recipe is src/Engine/Random/RECIPE.md; the C# reference
// is src/Engine/Random/{Philox4x32,PortableMath,PhiloxSampler}.cs. Every double operation below is an explicit
// round-to-nearest intrinsic (__dadd_rn, __dmul_rn, __fma_rn, ...) so nvcc cannot contract or reorder it, and
// no libm function is called: CUDA's log/cos differ from .NET's in the last bits.
#include "common.cuh"

typedef unsigned long long u64;

struct Block4 { unsigned x, y, z, w; };

// Philox4x32-10 (Random123): counter (c0..c3), key (k0, k1).
__device__ __forceinline__ Block4 philox4x32_10(unsigned c0, unsigned c1, unsigned c2, unsigned c3, unsigned k0, unsigned k1) {
#pragma unroll
  for (int round = 0; round < 10; round++) {
    if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
    unsigned hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    unsigned hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    unsigned y0 = hi1 ^ c1 ^ k0, y2 = hi0 ^ c3 ^ k1;
    c1 = lo1; c3 = lo0; c0 = y0; c2 = y2;
  }
  Block4 b = {c0, c1, c2, c3};
  return b;
}

// Element n's block for a resampling attempt: counter (lo(n), hi(n), attempt, 0), key (lo(seed), hi(seed)).
__device__ __forceinline__ Block4 block_of(u64 seed, u64 n, unsigned attempt) {
  return philox4x32_10((unsigned)n, (unsigned)(n >> 32), attempt, 0u, (unsigned)seed, (unsigned)(seed >> 32));
}

// (k + 1/2)·2^-52 for the top 52 bits k of (hi:lo): exact, in [2^-53, 1 − 2^-53].
__device__ __forceinline__ double unit_open(unsigned lo, unsigned hi) {
  u64 k = (((u64)hi << 32) | lo) >> 12;
  return __dmul_rn(__dadd_rn((double)k, 0.5), 2.220446049250313080847263336181640625e-16);
}

// ln x for positive finite x (PortableMath.Log, operation by operation).
__device__ double portable_log(double x) {
  long long bits = __double_as_longlong(x);
  int e = 0;
  if ((bits >> 52) == 0) {
    bits = __double_as_longlong(__dmul_rn(x, 18014398509481984.0));
    e = -54;
  }
  e += (int)(bits >> 52) - 1023;
  double m = __longlong_as_double((bits & 0x000FFFFFFFFFFFFFLL) | 0x3FF0000000000000LL);
  if (m > 1.4142135623730951) { m = __dmul_rn(m, 0.5); e += 1; }
  double s = __ddiv_rn(__dsub_rn(m, 1.0), __dadd_rn(m, 1.0));
  double s2 = __dmul_rn(s, s);
  double p = 2.0 / 21.0;
  p = __fma_rn(p, s2, 2.0 / 19.0);
  p = __fma_rn(p, s2, 2.0 / 17.0);
  p = __fma_rn(p, s2, 2.0 / 15.0);
  p = __fma_rn(p, s2, 2.0 / 13.0);
  p = __fma_rn(p, s2, 2.0 / 11.0);
  p = __fma_rn(p, s2, 2.0 / 9.0);
  p = __fma_rn(p, s2, 2.0 / 7.0);
  p = __fma_rn(p, s2, 2.0 / 5.0);
  p = __fma_rn(p, s2, 2.0 / 3.0);
  double s3 = __dmul_rn(s2, s);
  double log_m = __fma_rn(s3, p, __dmul_rn(2.0, s));
  double ed = (double)e;
  return __fma_rn(ed, 6.93147180369123816490e-01, __fma_rn(ed, 1.90821492927058770002e-10, log_m));
}

__device__ __forceinline__ double sin_kernel(double x) {
  double x2 = __dmul_rn(x, x);
  double p = 1.0 / 355687428096000.0;
  p = __fma_rn(p, x2, -1.0 / 1307674368000.0);
  p = __fma_rn(p, x2, 1.0 / 6227020800.0);
  p = __fma_rn(p, x2, -1.0 / 39916800.0);
  p = __fma_rn(p, x2, 1.0 / 362880.0);
  p = __fma_rn(p, x2, -1.0 / 5040.0);
  p = __fma_rn(p, x2, 1.0 / 120.0);
  p = __fma_rn(p, x2, -1.0 / 6.0);
  double x3 = __dmul_rn(x2, x);
  return __fma_rn(x3, p, x);
}

__device__ __forceinline__ double cos_kernel(double x) {
  double x2 = __dmul_rn(x, x);
  double q = -1.0 / 6402373705728000.0;
  q = __fma_rn(q, x2, 1.0 / 20922789888000.0);
  q = __fma_rn(q, x2, -1.0 / 87178291200.0);
  q = __fma_rn(q, x2, 1.0 / 479001600.0);
  q = __fma_rn(q, x2, -1.0 / 3628800.0);
  q = __fma_rn(q, x2, 1.0 / 40320.0);
  q = __fma_rn(q, x2, -1.0 / 720.0);
  q = __fma_rn(q, x2, 1.0 / 24.0);
  q = __fma_rn(q, x2, -0.5);
  return __fma_rn(x2, q, 1.0);
}

// cos(2πu), sin(2πu) with the exact quadrant reduction of PortableMath.CosSin2Pi.
__device__ __forceinline__ void cos_sin_2pi(double u, double* c, double* s) {
  double q = __dmul_rn(4.0, u);
  double n = rint(q);  // ties to even, exact
  double r = __dsub_rn(q, n);
  double x = __fma_rn(r, 1.5707963267948966, __dmul_rn(r, 6.123233995736766e-17));
  double cx = cos_kernel(x), sx = sin_kernel(x);
  switch ((int)n & 3) {
    case 0: *c = cx; *s = sx; break;
    case 1: *c = -sx; *s = cx; break;
    case 2: *c = -cx; *s = -sx; break;
    default: *c = sx; *s = -cx; break;
  }
}

__device__ __forceinline__ void box_muller(Block4 b, double* z0, double* z1) {
  double u1 = unit_open(b.x, b.y), u2 = unit_open(b.z, b.w);
  double r = __dsqrt_rn(__dmul_rn(-2.0, portable_log(u1)));
  double c, s;
  cos_sin_2pi(u2, &c, &s);
  *z0 = __dmul_rn(r, c);
  *z1 = __dmul_rn(r, s);
}

__device__ __forceinline__ void store(float* y, i64 i, double v) { y[i] = __double2float_rn(v); }
__device__ __forceinline__ void store(double* y, i64 i, double v) { y[i] = v; }

// Uniform: float32 values that round to 1 become the largest float below 1.
__device__ __forceinline__ void store_uniform(float* y, i64 i, double u) {
  float f = __double2float_rn(u);
  y[i] = f == 1.0f ? __int_as_float(0x3F7FFFFF) : f;
}
__device__ __forceinline__ void store_uniform(double* y, i64 i, double u) { y[i] = u; }

template <typename T>
__device__ void uniform(T* y, i64 n, u64 seed, u64 offset) {
  RG_FOR(i, n) {
    Block4 b = block_of(seed, offset + (u64)i, 0u);
    store_uniform(y, i, unit_open(b.x, b.y));
  }
}

template <typename T>
__device__ void normal(T* y, i64 n, u64 seed, u64 offset, double mean, double std) {
  RG_FOR(i, n) {
    double z0, z1;
    box_muller(block_of(seed, offset + (u64)i, 0u), &z0, &z1);
    store(y, i, __fma_rn(std, z0, mean));
  }
}

// Candidates in order: attempt 0 z0, attempt 0 z1, attempt 1 z0, ... (threshold ≥ 1e-4 is checked on the host).
template <typename T>
__device__ void truncated_normal(T* y, i64 n, u64 seed, u64 offset, double threshold) {
  RG_FOR(i, n) {
    double z0, z1, v;
    for (unsigned attempt = 0;; attempt++) {
      box_muller(block_of(seed, offset + (u64)i, attempt), &z0, &z1);
      if (fabs(z0) <= threshold) { v = z0; break; }
      if (fabs(z1) <= threshold) { v = z1; break; }
    }
    store(y, i, v);
  }
}

// Draws at a stream position held in device memory (a DeviceCounter: one u64, low word first), so that a replayed
// CUDA graph continues the stream instead of repeating it; counter_add_u64, queued after the draw, moves the
// position past it.
template <typename T>
__device__ void normal_counter(T* y, i64 n, u64 seed, const u64* counter, double mean, double std) {
  normal<T>(y, n, seed, *counter, mean, std);
}

// Class labels: (int)(u·bound) of the float64 uniform, exactly the host rule (u ≤ 1 − 2^-53 keeps them below bound).
extern "C" __global__ void random_uniform_int_counter_i32(int* y, i64 n, u64 seed, const u64* counter, int bound) {
  u64 offset = *counter;
  RG_FOR(i, n) {
    Block4 b = block_of(seed, offset + (u64)i, 0u);
    y[i] = __double2int_rz(__dmul_rn(unit_open(b.x, b.y), (double)bound));
  }
}

// One thread: the counter moves on (mod 2^64) once the draws before it in the stream have read it.
extern "C" __global__ void counter_add_u64(u64* counter, u64 delta) {
  if (blockIdx.x == 0 && threadIdx.x == 0) *counter += delta;
}

#define RG_RANDOM(T, S)                                                                                        \
  extern "C" __global__ void random_uniform_##S(T* y, i64 n, u64 seed, u64 offset) { uniform<T>(y, n, seed, offset); } \
  extern "C" __global__ void random_normal_##S(T* y, i64 n, u64 seed, u64 offset, double mean, double std) {  \
    normal<T>(y, n, seed, offset, mean, std);                                                                  \
  }                                                                                                            \
  extern "C" __global__ void random_truncated_normal_##S(T* y, i64 n, u64 seed, u64 offset, double threshold) { \
    truncated_normal<T>(y, n, seed, offset, threshold);                                                        \
  }                                                                                                            \
  extern "C" __global__ void random_normal_counter_##S(T* y, i64 n, u64 seed, const u64* counter, double mean, double std) { \
    normal_counter<T>(y, n, seed, counter, mean, std);                                                         \
  }

RG_RANDOM(float, f32)
RG_RANDOM(double, f64)
