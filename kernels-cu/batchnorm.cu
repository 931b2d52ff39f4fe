// Batch normalisation over x viewed as (n, c, spatial): per-channel statistics, the normalising forward, and the
// backward for batch statistics (training) or fixed statistics (eval). CPU reference, whose formulas these
// follow term for term: src/Engine/Backends/Cpu/CpuBatchNorm.cs.
//
// Precision: every per-channel sum (mean, centred sum of squares, Σdy, Σdy·x̂) is accumulated in double, for
// float data too, as the CPU reference does. The kernels are bandwidth-bound: each element costs one or two
// double adds/FMAs against 4–12 bytes of traffic, far below the FP64 rate of the data-centre parts we target
// (A100 9.7, H100 34 TFLOP/s), and it removes any doubt about a float sum over millions of elements per
// channel. The statistics use two passes (mean, then Σ(x − mean)²), so there is no cancellation. The
// per-element work (y = x·scale + shift, dx) runs in T with per-channel coefficients computed in double.
#include "common.cuh"

// Walks thread threadIdx.x's share of channel ch of x viewed as (n, c, spatial): per-channel index
// j = image·spatial + k from threadIdx.x in steps of blockDim.x (coalesced: consecutive threads, consecutive k).
// The offset ((image·c + ch)·spatial + k) is tracked incrementally, so the loop has no division.
struct ChannelWalk {
  i64 j, count, offset, stepOffset, wrap;
  int k, stepK, spatial;

  __device__ ChannelWalk(int n, int c, int spatial_, int ch) : spatial(spatial_) {
    count = (i64)n * spatial;
    j = threadIdx.x;
    int image = threadIdx.x / spatial;
    k = threadIdx.x % spatial;
    offset = ((i64)image * c + ch) * spatial + k;
    stepK = blockDim.x % spatial;
    stepOffset = (i64)(blockDim.x / spatial) * c * spatial + stepK;
    wrap = (i64)(c - 1) * spatial;  // from (image, k ≥ spatial) to (image + 1, k − spatial)
  }
  __device__ bool valid() const { return j < count; }
  __device__ void next() {
    j += blockDim.x;
    k += stepK;
    offset += stepOffset;
    if (k >= spatial) {
      k -= spatial;
      offset += wrap;
    }
  }
};

// One block per channel (grid = c): mean and biased variance, two passes in double.
template <typename T>
__device__ void bn_stats(const T* __restrict__ x, T* __restrict__ mean, T* __restrict__ variance, int n, int c, int spatial) {
  __shared__ double shared[32];
  int ch = blockIdx.x;
  double count = (double)n * spatial;
  double s = 0;
  for (ChannelWalk e(n, c, spatial, ch); e.valid(); e.next()) s += (double)x[e.offset];
  double m = block_sum(s, shared) / count;
  double ss = 0;
  for (ChannelWalk e(n, c, spatial, ch); e.valid(); e.next()) {
    double d = (double)x[e.offset] - m;
    ss += d * d;
  }
  ss = block_sum(ss, shared);
  if (threadIdx.x == 0) {
    mean[ch] = (T)m;
    variance[ch] = (T)(ss / count);
  }
}

// Per channel (c threads in all): scale = γ/sqrt(var + eps), shift = β − mean·scale, in double, stored as T.
// gamma and beta may be null (no affine).
template <typename T>
__device__ void bn_scale_shift(const T* __restrict__ mean, const T* __restrict__ variance, const T* __restrict__ gamma,
                               const T* __restrict__ beta, double eps, T* __restrict__ scale, T* __restrict__ shift, int c) {
  RG_FOR(ch, c) {
    double invStd = 1.0 / sqrt((double)variance[ch] + eps);
    double sc = invStd * (gamma ? (double)gamma[ch] : 1.0);
    double sh = (beta ? (double)beta[ch] : 0.0) - (double)mean[ch] * sc;
    scale[ch] = (T)sc;
    shift[ch] = (T)sh;
  }
}

// y = x·scale[ch] + shift[ch] over all n·c·spatial elements, grid-stride. Each thread finds its channel once
// and then advances (position, channel) by the fixed grid stride with carries, so the loop has no division.
template <typename T>
__device__ void bn_forward(const T* __restrict__ x, const T* __restrict__ scale, const T* __restrict__ shift,
                           T* __restrict__ y, i64 total, int c, int spatial) {
  i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= total) return;
  i64 step = (i64)blockDim.x * gridDim.x;
  int k = (int)(i % spatial), ch = (int)((i / spatial) % c);
  int stepK = (int)(step % spatial), stepCh = (int)((step / spatial) % c);
  for (; i < total; i += step) {
    y[i] = x[i] * scale[ch] + shift[ch];
    k += stepK;
    ch += stepCh;  // now at most 2c − 2
    if (k >= spatial) {
      k -= spatial;
      ch++;
    }
    if (ch >= c) ch -= c;
  }
}

// One block per channel (grid = c). With x̂ = (x − μ)·invstd: dβ = Σdy, dγ = Σdy·x̂;
// batch statistics: dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)); fixed statistics: dx = γ·invstd·dy.
// gamma, dgamma and dbeta may be null; the sums are skipped when nothing needs them.
template <typename T>
__device__ void bn_backward(const T* __restrict__ x, const T* __restrict__ dy, const T* __restrict__ mean,
                            const T* __restrict__ variance, const T* __restrict__ gamma, double eps, int batchStatistics,
                            T* __restrict__ dx, T* __restrict__ dgamma, T* __restrict__ dbeta, int n, int c, int spatial) {
  __shared__ double shared[32];
  int ch = blockIdx.x;
  double count = (double)n * spatial;
  double mu = (double)mean[ch];
  double invStd = 1.0 / sqrt((double)variance[ch] + eps);
  double g = gamma ? (double)gamma[ch] : 1.0;
  double sumDy = 0, sumDyXhat = 0;
  if (batchStatistics || dgamma || dbeta) {  // uniform over the block, so block_sum's barriers are safe
    for (ChannelWalk e(n, c, spatial, ch); e.valid(); e.next()) {
      double d = (double)dy[e.offset];
      sumDy += d;
      sumDyXhat += d * ((double)x[e.offset] - mu) * invStd;
    }
    sumDy = block_sum(sumDy, shared);
    sumDyXhat = block_sum(sumDyXhat, shared);
    if (threadIdx.x == 0) {
      if (dgamma) dgamma[ch] = (T)sumDyXhat;
      if (dbeta) dbeta[ch] = (T)sumDy;
    }
  }
  T k1 = (T)(g * invStd), meanDy = (T)(sumDy / count), muT = mean[ch], q = (T)(invStd * (sumDyXhat / count));
  for (ChannelWalk e(n, c, spatial, ch); e.valid(); e.next()) {
    T d = dy[e.offset];
    dx[e.offset] = batchStatistics ? k1 * ((d - meanDy) - (x[e.offset] - muT) * q) : k1 * d;
  }
}

// ---- conditional batch norm fused with ReLU -----------------------------------------------------
// BigGAN's G blocks compute relu(x̂·(1 + gain[i, ch]) + bias[i, ch]) with per-sample gain and bias (n, c).
// x is n·c planes of `spatial` elements; plane p = i·c + ch also indexes gain and bias. CPU reference:
// src/Engine/Backends/Cpu/CpuConditionalBatchNorm.cs.

// Walks the elements of x viewed as (planes, spatial) by a grid stride, tracking the plane and its channel
// with carries (as bn_forward does) so that the loop has no division.
struct PlaneWalk {
  i64 i, step;
  int k, plane, ch, stepK, stepPlane, stepCh, spatial, c;

  __device__ PlaneWalk(int c_, int spatial_) : spatial(spatial_), c(c_) {
    i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    step = (i64)blockDim.x * gridDim.x;
    k = (int)(i % spatial);
    i64 p = i / spatial;
    plane = (int)p;  // planes = n·c < 2^31 (host check)
    ch = (int)(p % c);
    stepK = (int)(step % spatial);
    i64 sp = step / spatial;
    stepPlane = (int)sp;
    stepCh = (int)(sp % c);
  }
  __device__ void next() {
    i += step;
    k += stepK;
    plane += stepPlane;
    ch += stepCh;  // now at most 2c − 2
    if (k >= spatial) {
      k -= spatial;
      plane++;
      ch++;
    }
    if (ch >= c) ch -= c;
  }
};

// Per plane (n·c threads in all): scale = (1 + gain)/sqrt(var + eps), shift = bias − mean·scale, in double.
template <typename T>
__device__ void cbn_relu_scale_shift(const T* __restrict__ mean, const T* __restrict__ variance, const T* __restrict__ gain,
                                     const T* __restrict__ bias, double eps, T* __restrict__ scale, T* __restrict__ shift, int n, int c) {
  RG_FOR(p, (i64)n * c) {
    int ch = (int)(p % c);
    double sc = (1.0 + (double)gain[p]) / sqrt((double)variance[ch] + eps);
    scale[p] = (T)sc;
    shift[p] = (T)((double)bias[p] - (double)mean[ch] * sc);
  }
}

// y = max(0, x·scale[plane] + shift[plane]) over all n·c·spatial elements.
template <typename T>
__device__ void cbn_relu_forward(const T* __restrict__ x, const T* __restrict__ scale, const T* __restrict__ shift,
                                 T* __restrict__ y, i64 total, int c, int spatial) {
  for (PlaneWalk e(c, spatial); e.i < total; e.next()) {
    T v = x[e.i] * scale[e.plane] + shift[e.plane];
    y[e.i] = v > (T)0 ? v : (T)0;
  }
}

// One block per plane (grid = n·c). With dz = dy·[y > 0] and x̂ = (x − μ)·invstd: dbias = Σdz and
// dgain = Σdz·x̂ over the plane, also kept in double for the channel sums of the dx pass.
template <typename T>
__device__ void cbn_relu_plane_sums(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                                    const T* __restrict__ mean, const T* __restrict__ variance, double eps, T* __restrict__ dgain,
                                    T* __restrict__ dbias, double* __restrict__ sumDz, double* __restrict__ sumDzXhat, int c, int spatial) {
  __shared__ double shared[32];
  int p = blockIdx.x, ch = p % c;
  double mu = (double)mean[ch];
  double invStd = 1.0 / sqrt((double)variance[ch] + eps);
  const T* xp = x + (i64)p * spatial;
  const T* yp = y + (i64)p * spatial;
  const T* dyp = dy + (i64)p * spatial;
  double s = 0, sx = 0;
  for (int k = threadIdx.x; k < spatial; k += blockDim.x) {
    if (yp[k] > (T)0) {
      double d = (double)dyp[k];
      s += d;
      sx += d * ((double)xp[k] - mu);
    }
  }
  s = block_sum(s, shared);
  sx = block_sum(sx, shared) * invStd;
  if (threadIdx.x == 0) {
    sumDz[p] = s;
    sumDzXhat[p] = sx;
    dbias[p] = (T)s;
    dgain[p] = (T)sx;
  }
}

// One thread per channel. With g' = 1 + gain, dx̂ = g'·dz, M = n·spatial, Σdx̂ = Σ_i g'·sumDz and
// Σdx̂·x̂ = Σ_i g'·sumDzXhat, the input gradient is
//   dx = invstd·(g'·dz − Σdx̂/M − x̂·Σ(dx̂·x̂)/M) = a·dz − b − (x − μ)·q      (batch statistics),
//   dx = invstd·g'·dz  (b = q = 0)                                          (fixed statistics),
// with per-plane a = invstd·g', b = invstd·Σdx̂/M, q = invstd²·Σ(dx̂·x̂)/M computed here in double.
template <typename T>
__device__ void cbn_relu_dx_coefficients(const T* __restrict__ variance, const T* __restrict__ gain, const double* __restrict__ sumDz,
                                         const double* __restrict__ sumDzXhat, double eps, int batchStatistics, T* __restrict__ a,
                                         T* __restrict__ b, T* __restrict__ q, int n, int c, int spatial) {
  RG_FOR(chl, c) {
    int ch = (int)chl;
    double invStd = 1.0 / sqrt((double)variance[ch] + eps);
    double md = 0, mdx = 0;
    if (batchStatistics) {
      for (int i = 0; i < n; i++) {
        i64 p = (i64)i * c + ch;
        double g = 1.0 + (double)gain[p];
        md += g * sumDz[p];
        mdx += g * sumDzXhat[p];
      }
      double count = (double)n * spatial;
      md /= count;
      mdx /= count;
    }
    for (int i = 0; i < n; i++) {
      i64 p = (i64)i * c + ch;
      a[p] = (T)(invStd * (1.0 + (double)gain[p]));
      b[p] = (T)(invStd * md);
      q[p] = (T)(invStd * invStd * mdx);
    }
  }
}

// dx = a·dz − b − (x − μ)·q per element with the per-plane coefficients above; dz = dy·[y > 0].
template <typename T>
__device__ void cbn_relu_backward(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                                  const T* __restrict__ mean, const T* __restrict__ a, const T* __restrict__ b,
                                  const T* __restrict__ q, T* __restrict__ dx, i64 total, int c, int spatial) {
  for (PlaneWalk e(c, spatial); e.i < total; e.next()) {
    T dz = y[e.i] > (T)0 ? dy[e.i] : (T)0;
    dx[e.i] = a[e.plane] * dz - b[e.plane] - (x[e.i] - mean[e.ch]) * q[e.plane];
  }
}

#define RG_BATCHNORM(T, S)                                                                                          \
  extern "C" __global__ void bn_stats_##S(const T* x, T* mean, T* variance, int n, int c, int spatial) {            \
    bn_stats<T>(x, mean, variance, n, c, spatial);                                                                  \
  }                                                                                                                 \
  extern "C" __global__ void bn_scale_shift_##S(const T* mean, const T* variance, const T* gamma, const T* beta,    \
                                                double eps, T* scale, T* shift, int c) {                            \
    bn_scale_shift<T>(mean, variance, gamma, beta, eps, scale, shift, c);                                           \
  }                                                                                                                 \
  extern "C" __global__ void bn_forward_##S(const T* x, const T* scale, const T* shift, T* y, i64 total, int c,     \
                                            int spatial) {                                                          \
    bn_forward<T>(x, scale, shift, y, total, c, spatial);                                                           \
  }                                                                                                                 \
  extern "C" __global__ void bn_backward_##S(const T* x, const T* dy, const T* mean, const T* variance,             \
                                             const T* gamma, double eps, int batchStatistics, T* dx, T* dgamma,     \
                                             T* dbeta, int n, int c, int spatial) {                                 \
    bn_backward<T>(x, dy, mean, variance, gamma, eps, batchStatistics, dx, dgamma, dbeta, n, c, spatial);           \
  }                                                                                                                 \
  extern "C" __global__ void cbn_relu_scale_shift_##S(const T* mean, const T* variance, const T* gain,              \
                                                      const T* bias, double eps, T* scale, T* shift, int n, int c) {\
    cbn_relu_scale_shift<T>(mean, variance, gain, bias, eps, scale, shift, n, c);                                   \
  }                                                                                                                 \
  extern "C" __global__ void cbn_relu_forward_##S(const T* x, const T* scale, const T* shift, T* y, i64 total,      \
                                                  int c, int spatial) {                                             \
    cbn_relu_forward<T>(x, scale, shift, y, total, c, spatial);                                                     \
  }                                                                                                                 \
  extern "C" __global__ void cbn_relu_plane_sums_##S(const T* x, const T* y, const T* dy, const T* mean,            \
                                                     const T* variance, double eps, T* dgain, T* dbias,             \
                                                     double* sumDz, double* sumDzXhat, int c, int spatial) {        \
    cbn_relu_plane_sums<T>(x, y, dy, mean, variance, eps, dgain, dbias, sumDz, sumDzXhat, c, spatial);              \
  }                                                                                                                 \
  extern "C" __global__ void cbn_relu_dx_coefficients_##S(const T* variance, const T* gain, const double* sumDz,    \
                                                          const double* sumDzXhat, double eps, int batchStatistics, \
                                                          T* a, T* b, T* q, int n, int c, int spatial) {            \
    cbn_relu_dx_coefficients<T>(variance, gain, sumDz, sumDzXhat, eps, batchStatistics, a, b, q, n, c, spatial);    \
  }                                                                                                                 \
  extern "C" __global__ void cbn_relu_backward_##S(const T* x, const T* y, const T* dy, const T* mean, const T* a,  \
                                                   const T* b, const T* q, T* dx, i64 total, int c, int spatial) {  \
    cbn_relu_backward<T>(x, y, dy, mean, a, b, q, dx, total, c, spatial);                                           \
  }

RG_BATCHNORM(float, f32)
RG_BATCHNORM(double, f64)
