// 2x2 pooling with stride 2 (average and max), general k×k pooling with stride and padding, and nearest-neighbour 2x upsampling, forward and backward, on
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
    Acc<T> a = widen(x0[0]), b = widen(x0[1]), c = widen(x0[w]), d = widen(x0[w + 1]);
    y[i] = narrow<T>(kind == POOL_AVERAGE ? (a + b + c + d) * (Acc<T>)0.25 : max(max(a, b), max(c, d)));
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
      dx[i] = narrow<T>(0);
      continue;
    }
    i64 wr = row >> 1, wc = col >> 1;
    Acc<T> g = widen(dy[(p * oh + wr) * ow + wc]);
    if (kind == POOL_AVERAGE) {
      dx[i] = narrow<T>(g * (Acc<T>)0.25);
      continue;
    }
    const T* x0 = x + p * h * w + 2 * wr * w + 2 * wc;
    Acc<T> v[4] = {widen(x0[0]), widen(x0[1]), widen(x0[w]), widen(x0[w + 1])};
    int best = 0;
    for (int k = 1; k < 4; k++)
      if (v[k] > v[best]) best = k;
    int mine = (int)((row & 1) * 2 + (col & 1));
    dx[i] = narrow<T>(mine == best ? g : (Acc<T>)0);
  }
}

// General pooling: a kh×kw window moved by (sh, sw) over the input padded by (ph, pw) (floor mode). CPU
// reference: src/Engine/Backends/Cpu/CpuPooling2d.cs, same formulas in the same order, so results match it
// exactly. Window [h0, h1) × [w0, w1) of output (i, j), clipped to the input; the average divides by kh·kw
// with count_include_pad, else by the clipped window's size.
struct PoolWindow {
  int h0, h1, w0, w1, divisor;
};

__device__ __forceinline__ PoolWindow pool_window(int i, int j, int h, int w, int kh, int kw, int sh, int sw, int ph,
                                                  int pw, int countIncludePad) {
  PoolWindow win;
  int h0 = i * sh - ph, w0 = j * sw - pw;
  win.h1 = min(h0 + kh, h);
  win.w1 = min(w0 + kw, w);
  win.h0 = max(h0, 0);
  win.w0 = max(w0, 0);
  win.divisor = countIncludePad ? kh * kw : (win.h1 - win.h0) * (win.w1 - win.w0);
  return win;
}

// y (planes, OH, OW). Max pooling starts from −∞ and ignores the padding.
template <typename T>
__device__ void pool2d_fwd(int kind, const T* x, T* y, i64 planes, int h, int w, int oh, int ow, int kh, int kw,
                           int sh, int sw, int ph, int pw, int countIncludePad) {
  RG_FOR(i, planes * oh * ow) {
    int j = (int)(i % ow);
    i64 t = i / ow;
    int r = (int)(t % oh);
    i64 p = t / oh;
    PoolWindow win = pool_window(r, j, h, w, kh, kw, sh, sw, ph, pw, countIncludePad);
    const T* xp = x + p * h * w;
    T acc = kind == POOL_AVERAGE ? (T)0 : -(T)INFINITY;
    for (int a = win.h0; a < win.h1; a++)
      for (int b = win.w0; b < win.w1; b++) {
        T v = xp[a * w + b];
        if (kind == POOL_AVERAGE)
          acc += v;
        else if (v > acc)
          acc = v;
      }
    y[i] = kind == POOL_AVERAGE ? acc / (T)win.divisor : acc;
  }
}

// dx (planes, H, W), one thread per element: the sum, over the windows covering it in window order, of each
// window's share (dy/divisor for the average; dy when this element is the window's first maximum).
template <typename T>
__device__ void pool2d_bwd(int kind, const T* x, const T* dy, T* dx, i64 planes, int h, int w, int oh, int ow, int kh,
                           int kw, int sh, int sw, int ph, int pw, int countIncludePad) {
  RG_FOR(i, planes * h * w) {
    int iw = (int)(i % w);
    i64 t = i / w;
    int ih = (int)(t % h);
    i64 p = t / h;
    const T* xp = x + p * h * w;
    const T* dyp = dy + p * oh * ow;
    int i0 = ih + ph < kh ? 0 : (ih + ph - kh) / sh + 1, i1 = min((ih + ph) / sh + 1, oh);
    int j0 = iw + pw < kw ? 0 : (iw + pw - kw) / sw + 1, j1 = min((iw + pw) / sw + 1, ow);
    int me = ih * w + iw;
    T sum = (T)0;
    for (int a = i0; a < i1; a++)
      for (int b = j0; b < j1; b++) {
        PoolWindow win = pool_window(a, b, h, w, kh, kw, sh, sw, ph, pw, countIncludePad);
        T d = dyp[a * ow + b];
        if (kind == POOL_AVERAGE) {
          sum += d / (T)win.divisor;
          continue;
        }
        int best = win.h0 * w + win.w0;
        for (int r = win.h0; r < win.h1; r++)
          for (int s = win.w0; s < win.w1; s++)
            if (xp[r * w + s] > xp[best]) best = r * w + s;
        if (best == me) sum += d;
      }
    dx[i] = sum;
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
    dx[i] = narrow<T>((Acc<T>)widen(d0[0]) + widen(d0[1]) + widen(d0[w2]) + widen(d0[w2 + 1]));
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

// The general windows: float32 and float64 only (BigGAN's bf16 step pools 2x2).
#define RG_POOLING_2D(T, S)                                                                                      \
  extern "C" __global__ void pool2d_fwd_##S(int kind, const T* x, T* y, i64 planes, int h, int w, int oh, int ow, \
                                            int kh, int kw, int sh, int sw, int ph, int pw, int countIncludePad) {   \
    pool2d_fwd<T>(kind, x, y, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad);                  \
  }                                                                                                            \
  extern "C" __global__ void pool2d_bwd_##S(int kind, const T* x, const T* dy, T* dx, i64 planes, int h, int w,  \
                                            int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw,      \
                                            int countIncludePad) {                                               \
    pool2d_bwd<T>(kind, x, dy, dx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad);             \
  }

RG_POOLING(float, f32)
RG_POOLING(double, f64)
RG_POOLING(bf16, bf16)
RG_POOLING_2D(float, f32)
RG_POOLING_2D(double, f64)
