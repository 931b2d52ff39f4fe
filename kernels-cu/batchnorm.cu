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
  }

RG_BATCHNORM(float, f32)
RG_BATCHNORM(double, f64)
