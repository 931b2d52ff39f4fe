// 2x2 pooling with stride 2 (average and max) and nearest-neighbour 2x upsampling, forward and backward, on
// (planes = N·C, H, W) images. CPU reference: src/Engine/Backends/Cpu/CpuPooling.cs (same formulas, same
// summation order, so results match it exactly).
//
// One thread per element written, consecutive threads on consecutive elements (coalesced writes; the reads of
// neighbouring threads share cache lines). Backward kernels run one thread per dx element, so each output is
// written once and no atomics are needed.
#include "common.cuh"

// Must match RawGan.Engine.PoolKind.
enum { POOL_AVERAGE = 0, POOL_MAX = 1 };

// y (planes, H/2, W/2); odd trailing rows and columns of x are ignored.
template <typename T>
__device__ void pool_fwd(int kind, const T* x, T* y, i64 planes, int h, int w) {
  const int oh = h / 2, ow = w / 2;
  RG_FOR(i, planes * oh * ow) {
    i64 j = i % ow, t = i / ow;
    i64 r = t % oh, p = t / oh;
    const T* x0 = x + p * h * w + 2 * r * w + 2 * j;
    T a = x0[0], b = x0[1], c = x0[w], d = x0[w + 1];
    y[i] = kind == POOL_AVERAGE ? (a + b + c + d) * (T)0.25 : max(max(a, b), max(c, d));
  }
}

// dx (planes, H, W). Max pooling routes each window's gradient to its first maximum in row-major window order
// (a later element must be strictly greater to take over, as on the CPU); odd trailing rows and columns,
// which no window covers, get zero.
template <typename T>
__device__ void pool_bwd(int kind, const T* x, const T* dy, T* dx, i64 planes, int h, int w) {
  const int oh = h / 2, ow = w / 2;
  RG_FOR(i, planes * h * w) {
    i64 col = i % w, t = i / w;
    i64 row = t % h, p = t / h;
    if (row >= 2 * oh || col >= 2 * ow) {
      dx[i] = (T)0;
      continue;
    }
    i64 wr = row >> 1, wc = col >> 1;
    T g = dy[(p * oh + wr) * ow + wc];
    if (kind == POOL_AVERAGE) {
      dx[i] = g * (T)0.25;
      continue;
    }
    const T* x0 = x + p * h * w + 2 * wr * w + 2 * wc;
    T v[4] = {x0[0], x0[1], x0[w], x0[w + 1]};
    int best = 0;
    for (int k = 1; k < 4; k++)
      if (v[k] > v[best]) best = k;
    int mine = (int)((row & 1) * 2 + (col & 1));
    dx[i] = mine == best ? g : (T)0;
  }
}

// y (planes, 2H, 2W) from x (planes, H, W).
template <typename T>
__device__ void upsample_fwd(const T* x, T* y, i64 planes, int h, int w) {
  const int h2 = 2 * h, w2 = 2 * w;
  RG_FOR(i, planes * h2 * w2) {
    i64 col = i % w2, t = i / w2;
    i64 row = t % h2, p = t / h2;
    y[i] = x[(p * h + (row >> 1)) * w + (col >> 1)];
  }
}

// dx (planes, H, W): the sum of each 2x2 block of dy, in the CPU's order.
template <typename T>
__device__ void upsample_bwd(const T* dy, T* dx, i64 planes, int h, int w) {
  const int w2 = 2 * w;
  RG_FOR(i, planes * h * w) {
    i64 col = i % w, t = i / w;
    i64 row = t % h, p = t / h;
    const T* d0 = dy + p * 4 * h * w + 2 * row * w2 + 2 * col;
    dx[i] = d0[0] + d0[1] + d0[w2] + d0[w2 + 1];
  }
}

#define RG_POOLING(T, S)                                                                                         \
  extern "C" __global__ void pool_fwd_##S(int kind, const T* x, T* y, i64 planes, int h, int w) {              \
    pool_fwd<T>(kind, x, y, planes, h, w);                                                                     \
  }                                                                                                            \
  extern "C" __global__ void pool_bwd_##S(int kind, const T* x, const T* dy, T* dx, i64 planes, int h, int w) { \
    pool_bwd<T>(kind, x, dy, dx, planes, h, w);                                                                \
  }                                                                                                            \
  extern "C" __global__ void upsample_fwd_##S(const T* x, T* y, i64 planes, int h, int w) {                    \
    upsample_fwd<T>(x, y, planes, h, w);                                                                       \
  }                                                                                                            \
  extern "C" __global__ void upsample_bwd_##S(const T* dy, T* dx, i64 planes, int h, int w) {                  \
    upsample_bwd<T>(dy, dx, planes, h, w);                                                                     \
  }

RG_POOLING(float, f32)
RG_POOLING(double, f64)
