// Batch normalisation over x viewed as (n, c, spatial), and conditional batch norm fused with ReLU: per-channel
// statistics, the normalising forwards, and the backwards for batch statistics (training) or fixed statistics (eval).
// CPU references, whose formulas these follow: src/Engine/Backends/Cpu/CpuBatchNorm.cs, CpuConditionalBatchNorm.cs.
//
// x is n·c planes of `spatial` contiguous elements; plane p = i·c + ch. Everything here is memory-bound, so each
// kernel is written to stream: 16-byte loads and stores (Elems<T, W>) wherever a plane's length and the buffers'
// alignment allow, four loads in flight per thread, and no division in the element loops (FastDiv).
//
// Reductions (the statistics; Σdz and Σdz·(x − μ) for the backward) run in two steps, both in a fixed order, so
// results are the same run to run (no atomics): one plane per group of G lanes (G = the plane's loads rounded up to a
// power of two, at most a warp, so that 4x4 planes do not leave a warp idle), combined by an xor-shuffle tree, then
// one thread per channel folds the channel's n planes in order. Statistics combine (count, mean, M2) triples
// (Chan et al.'s update, with each load's W elements as one triple), which has no cancellation. Arithmetic is
// Acc<T>: float for float and bf16, double for double; statistics, gain, bias and
// their gradients are Acc<T> (float32 statistics and parameters for bf16 activations).
//
// Bytes moved, for N elements of T (b = sizeof(T)): statistics read x once (N·b); the forwards read x and write y
// (2·N·b); the backward reads x and dy (BN) or x, y and dy (fused cBN) twice, once for the sums and once for dx, and
// writes dx (BN 5·N·b, cBN 7·N·b). A forward in training is statistics + forward: 3·N·b, of which x's second read is
// served by L2 only when x fits in it.
#include "common.cuh"

// ---- reductions over planes --------------------------------------------------------------------------------------

// 1/x: one MUFU.RCP for float (2 ulp; it weights Chan's updates below, where that is far inside float's rounding of
// the sums themselves), exact for double.
__device__ __forceinline__ float reciprocal(float x) { return __fdividef(1.0f, x); }
__device__ __forceinline__ double reciprocal(double x) { return 1.0 / x; }

// Count, mean and sum of squared deviations of a set of values; merge() joins two sets (Chan, Golub and LeVeque).
template <typename A>
struct MeanM2 {
  A n, mean, m2;
  __device__ static MeanM2 zero() { return {(A)0, (A)0, (A)0}; }
  __device__ MeanM2 shfl_xor(int o) const {
    return {__shfl_xor_sync(0xffffffffu, n, o), __shfl_xor_sync(0xffffffffu, mean, o), __shfl_xor_sync(0xffffffffu, m2, o)};
  }
  __device__ static MeanM2 merge(const MeanM2& a, const MeanM2& b) {
    A count = a.n + b.n, delta = b.mean - a.mean;
    A wb = count > (A)0 ? b.n * reciprocal(count) : (A)0;  // a select, not a branch: the loads around it stay in flight
    return {count, a.mean + delta * wb, a.m2 + b.m2 + delta * delta * a.n * wb};
  }
};

// Two running sums.
template <typename A>
struct Sums2 {
  A s, t;
  __device__ static Sums2 zero() { return {(A)0, (A)0}; }
  __device__ Sums2 shfl_xor(int o) const { return {__shfl_xor_sync(0xffffffffu, s, o), __shfl_xor_sync(0xffffffffu, t, o)}; }
  __device__ static Sums2 merge(const Sums2& a, const Sums2& b) { return {a.s + b.s, a.t + b.t}; }
};

// Lanes per segment of `units` loads: the smallest power of two ≥ units, at most 32.
__device__ __forceinline__ int lanes_for(int units) {
  int g = 1;
  while (g < units && g < 32) g <<= 1;
  return g;
}

// Reductions work on segments: plane p is cut into parts = ⌈spatial / segment⌉ pieces of `segment` elements (the
// last one shorter), numbered s = p·parts + j, so that large planes spread over many warps and small ones share a
// warp. Each segment is reduced by a group of G lanes; prepare(p) sets up plane p, load(at) reads the W elements at
// element offset `at`, fold(acc, loaded) adds them into acc, and emit(s, acc) receives the segment's total. A lane
// takes its segment's loads sub, sub + G, ..., four per iteration, all read before the first is folded. The loop over
// segment batches is uniform across a warp, so every lane reaches the shuffles.
template <int W, typename R, typename Prepare, typename Load, typename Fold, typename Emit>
__device__ void reduce_segments(int planes, int spatial, int segment, Prepare prepare, Load load, Fold fold, Emit emit) {
  const int parts = (spatial + segment - 1) / segment, G = lanes_for(min(segment, spatial) / W);
  const int lane = threadIdx.x & 31, sub = lane & (G - 1), perWarp = 32 / G;
  const i64 segments = (i64)planes * parts;
  const i64 warp = ((i64)blockIdx.x * blockDim.x + threadIdx.x) >> 5, warps = ((i64)gridDim.x * blockDim.x) >> 5;
  for (i64 first = warp * perWarp; first < segments; first += warps * perWarp) {
    i64 s = first + lane / G;
    R acc = R::zero();
    if (s < segments) {
      int p = (int)(s / parts), j = (int)(s - (i64)p * parts);
      int units = min(segment, spatial - j * segment) / W;
      i64 base = (i64)p * spatial + (i64)j * segment;
      prepare(p);
      int k = sub;
      for (; k + 3 * G < units; k += 4 * G) {
        auto e0 = load(base + (i64)k * W), e1 = load(base + (i64)(k + G) * W);
        auto e2 = load(base + (i64)(k + 2 * G) * W), e3 = load(base + (i64)(k + 3 * G) * W);
        fold(acc, e0);
        fold(acc, e1);
        fold(acc, e2);
        fold(acc, e3);
      }
      for (; k < units; k += G) fold(acc, load(base + (i64)k * W));
    }
    for (int o = 1; o < G; o <<= 1) acc = R::merge(acc, acc.shfl_xor(o));
    if (sub == 0 && s < segments) emit(s, acc);
  }
}

// (count, mean, M2) of the W values of one load.
template <typename A, typename T, int W>
__device__ __forceinline__ MeanM2<A> stats_of(const Elems<T, W>& e) {
  A s = 0;
#pragma unroll
  for (int j = 0; j < W; j++) s += (A)widen(e.v[j]);
  A m = s * ((A)1 / (A)W), m2 = 0;
#pragma unroll
  for (int j = 0; j < W; j++) {
    A d = (A)widen(e.v[j]) - m;
    m2 += d * d;
  }
  return {(A)W, m, m2};
}

// Per segment: the mean and M2 of its elements (its count follows from the shape).
template <typename T, int W>
__device__ void bn_stats_segments_w(const T* __restrict__ x, Acc<T>* __restrict__ segMean, Acc<T>* __restrict__ segM2,
                                    int planes, int spatial, int segment) {
  typedef Acc<T> A;
  reduce_segments<W, MeanM2<A>>(
      planes, spatial, segment, [](int) {}, [&](i64 at) { return load_elems<T, W>(x + at); },
      [&](MeanM2<A>& acc, const Elems<T, W>& e) { acc = MeanM2<A>::merge(acc, stats_of<A, T, W>(e)); },
      [&](i64 s, const MeanM2<A>& r) {
        segMean[s] = r.mean;
        segM2[s] = r.m2;
      });
}

template <typename T>
__device__ void bn_stats_segments(const T* x, Acc<T>* segMean, Acc<T>* segM2, int planes, int spatial, int segment) {
  constexpr int P = PackWidth<T>::value;
  if (spatial % P == 0 && aligned16(x)) bn_stats_segments_w<T, P>(x, segMean, segM2, planes, spatial, segment);
  else bn_stats_segments_w<T, 1>(x, segMean, segM2, planes, spatial, segment);
}

// Calls f(segment index, part j) for every segment of channel ch, lane l taking the channel's segments l, l + 32, ...
// in (sample, part) order: a warp per channel, in a fixed order.
template <typename F>
__device__ __forceinline__ void for_channel_segments(int n, int c, int parts, int ch, F f) {
  for (int t = threadIdx.x & 31; t < n * parts; t += 32) {
    int i = t / parts, j = t - i * parts;
    f(((i64)i * c + ch) * parts + j, j);
  }
}

// A warp per channel: the channel's segments merged into the mean and the biased variance.
template <typename T>
__device__ void bn_stats_combine(const Acc<T>* __restrict__ segMean, const Acc<T>* __restrict__ segM2, Acc<T>* __restrict__ mean,
                                 Acc<T>* __restrict__ variance, int n, int c, int spatial, int segment) {
  typedef Acc<T> A;
  const int parts = (spatial + segment - 1) / segment;
  const int warps = (gridDim.x * blockDim.x) >> 5;
  for (int ch = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; ch < c; ch += warps) {
    MeanM2<A> acc = MeanM2<A>::zero();
    for_channel_segments(n, c, parts, ch, [&](i64 s, int j) {
      acc = MeanM2<A>::merge(acc, {(A)min(segment, spatial - j * segment), segMean[s], segM2[s]});
    });
    for (int o = 1; o < 32; o <<= 1) acc = MeanM2<A>::merge(acc, acc.shfl_xor(o));
    if ((threadIdx.x & 31) == 0) {
      mean[ch] = acc.mean;
      variance[ch] = acc.m2 / acc.n;
    }
  }
}

// Per segment: Σdz and Σdz·(x − μ), with dz = dy (batch norm) or dy·[y > 0] (the fused conditional BN + ReLU).
template <typename T, int W, bool RELU>
__device__ void bn_backward_segments_w(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                                       const Acc<T>* __restrict__ mean, Acc<T>* __restrict__ sumDz, Acc<T>* __restrict__ sumDzXc,
                                       int planes, int c, int spatial, int segment) {
  typedef Acc<T> A;
  struct Loaded {
    Elems<T, W> x, dy, y;
  };
  A mu = 0;
  reduce_segments<W, Sums2<A>>(
      planes, spatial, segment, [&](int p) { mu = (A)mean[p % c]; },
      [&](i64 at) {
        Loaded e;
        e.x = load_elems<T, W>(x + at);
        e.dy = load_elems<T, W>(dy + at);
        if (RELU) e.y = load_elems<T, W>(y + at);
        return e;
      },
      [&](Sums2<A>& acc, const Loaded& e) {
#pragma unroll
        for (int j = 0; j < W; j++) {
          A d = RELU && !(widen(e.y.v[j]) > 0) ? (A)0 : (A)widen(e.dy.v[j]);
          acc.s += d;
          acc.t += d * ((A)widen(e.x.v[j]) - mu);
        }
      },
      [&](i64 s, const Sums2<A>& r) {
        sumDz[s] = r.s;
        sumDzXc[s] = r.t;
      });
}

template <typename T, bool RELU>
__device__ void bn_backward_segments(const T* x, const T* y, const T* dy, const Acc<T>* mean, Acc<T>* sumDz, Acc<T>* sumDzXc,
                                     int planes, int c, int spatial, int segment) {
  constexpr int P = PackWidth<T>::value;
  if (spatial % P == 0 && aligned16(x) && aligned16(dy) && (!RELU || aligned16(y)))
    bn_backward_segments_w<T, P, RELU>(x, y, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment);
  else
    bn_backward_segments_w<T, 1, RELU>(x, y, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment);
}

// ---- elementwise passes --------------------------------------------------------------------------------------------

// Visits every W-element load of x viewed as (planes, spatial) with stream_units: load(j, at) for four loads, then
// store(j, at, p, ch) for each, `at` being the element offset, p the plane and ch its channel.
template <int W, typename Load, typename Store>
__device__ void apply_planes(int planes, int c, int spatial, Load load, Store store) {
  const unsigned unitsPerPlane = (unsigned)(spatial / W);
  const FastDiv byPlane(unitsPerPlane > 0 ? unitsPerPlane : 1), byChannel((unsigned)c);
  stream_units(
      (i64)planes * unitsPerPlane, [&](int j, i64 u) { load(j, u * W); },
      [&](int j, i64 u) {
        unsigned p = byPlane.div((unsigned)u), ch = p - byChannel.div(p) * (unsigned)c;
        store(j, u * W, (int)p, (int)ch);
      });
}

// The normalising forwards. Batch norm: y = (x − mean)/sqrt(var + eps)·γ + β per channel, where scale and shift are
// gamma and beta (either may be null: no affine). Conditional BN + ReLU (BigGAN's G block, CBN_RELU): y = max(0,
// x̂·(1 + gain[p]) + bias[p]) with scale and shift the per-plane gain and bias. Each channel's (plane's) coefficients
// are computed where they are used.
template <typename T, int W, bool CBN_RELU>
__device__ void normalize_w(const T* __restrict__ x, const Acc<T>* __restrict__ mean, const Acc<T>* __restrict__ variance,
                            const Acc<T>* __restrict__ scale, const Acc<T>* __restrict__ shift, double eps, T* __restrict__ y,
                            int planes, int c, int spatial) {
  typedef Acc<T> A;
  Elems<T, W> e[4];
  apply_planes<W>(
      planes, c, spatial, [&](int j, i64 at) { e[j] = load_elems<T, W>(x + at); },
      [&](int j, i64 at, int p, int ch) {
        int i = CBN_RELU ? p : ch;
        A k = (CBN_RELU ? (A)1 + (A)scale[i] : scale ? (A)scale[i] : (A)1) / sqrt((A)variance[ch] + (A)eps);
        A b = (shift ? (A)shift[i] : (A)0) - (A)mean[ch] * k;
#pragma unroll
        for (int m = 0; m < W; m++) {
          A v = (A)widen(e[j].v[m]) * k + b;
          e[j].v[m] = narrow<T>(CBN_RELU && !(v > (A)0) ? (A)0 : v);
        }
        store_elems<T, W>(y + at, e[j]);
      });
}

template <typename T, bool CBN_RELU>
__device__ void normalize(const T* x, const Acc<T>* mean, const Acc<T>* variance, const Acc<T>* scale, const Acc<T>* shift, double eps, T* y,
                          int planes, int c, int spatial) {
  constexpr int P = PackWidth<T>::value;
  if (spatial % P == 0 && aligned16(x) && aligned16(y)) normalize_w<T, P, CBN_RELU>(x, mean, variance, scale, shift, eps, y, planes, c, spatial);
  else normalize_w<T, 1, CBN_RELU>(x, mean, variance, scale, shift, eps, y, planes, c, spatial);
}

// dx = a·dz − b − (x − μ)·q with the coefficients of the combine step below, per channel (batch norm) or per plane
// (the fused conditional BN + ReLU, whose dz = dy·[y > 0]).
template <typename T, int W, bool CBN_RELU>
__device__ void bn_backward_apply_w(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                                    const Acc<T>* __restrict__ mean, const Acc<T>* __restrict__ a, const Acc<T>* __restrict__ b,
                                    const Acc<T>* __restrict__ q, T* __restrict__ dx, int planes, int c, int spatial) {
  typedef Acc<T> A;
  Elems<T, W> xe[4], de[4], ye[4];
  apply_planes<W>(
      planes, c, spatial,
      [&](int j, i64 at) {
        xe[j] = load_elems<T, W>(x + at);
        de[j] = load_elems<T, W>(dy + at);
        if (CBN_RELU) ye[j] = load_elems<T, W>(y + at);
      },
      [&](int j, i64 at, int p, int ch) {
        int i = CBN_RELU ? p : ch;
        A ai = a[i], bi = b[i], qi = q[i], mu = (A)mean[ch];
#pragma unroll
        for (int k = 0; k < W; k++) {
          A dz = CBN_RELU && !(widen(ye[j].v[k]) > 0) ? (A)0 : (A)widen(de[j].v[k]);
          xe[j].v[k] = narrow<T>(ai * dz - bi - ((A)widen(xe[j].v[k]) - mu) * qi);
        }
        store_elems<T, W>(dx + at, xe[j]);
      });
}

template <typename T, bool CBN_RELU>
__device__ void bn_backward_apply(const T* x, const T* y, const T* dy, const Acc<T>* mean, const Acc<T>* a, const Acc<T>* b,
                                  const Acc<T>* q, T* dx, int planes, int c, int spatial) {
  constexpr int P = PackWidth<T>::value;
  if (spatial % P == 0 && aligned16(x) && aligned16(dy) && aligned16(dx) && (!CBN_RELU || aligned16(y)))
    bn_backward_apply_w<T, P, CBN_RELU>(x, y, dy, mean, a, b, q, dx, planes, c, spatial);
  else
    bn_backward_apply_w<T, 1, CBN_RELU>(x, y, dy, mean, a, b, q, dx, planes, c, spatial);
}

// ---- the backward's per-channel step -------------------------------------------------------------------------------

// A warp per channel. With the segment sums S = Σdy and X = Σdy·(x − μ) over the channel, x̂ = (x − μ)·invstd and
// k = γ·invstd: dβ = S, dγ = X·invstd; batch statistics: dx = k·(dy − S/M − x̂·invstd·X/M), i.e. a = k, b = k·S/M,
// q = k·invstd²·X/M (M = n·spatial); fixed statistics: dx = k·dy (b = q = 0). gamma, dgamma and dbeta may be null.
template <typename T>
__device__ void bn_backward_combine(const Acc<T>* __restrict__ variance, const Acc<T>* __restrict__ gamma, const Acc<T>* __restrict__ sumDz,
                                    const Acc<T>* __restrict__ sumDzXc, double eps, int batchStatistics, Acc<T>* __restrict__ dgamma,
                                    Acc<T>* __restrict__ dbeta, Acc<T>* __restrict__ a, Acc<T>* __restrict__ b, Acc<T>* __restrict__ q,
                                    int n, int c, int spatial, int segment) {
  typedef Acc<T> A;
  const int parts = (spatial + segment - 1) / segment;
  const int warps = (gridDim.x * blockDim.x) >> 5;
  for (int ch = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; ch < c; ch += warps) {
    Sums2<A> acc = Sums2<A>::zero();
    for_channel_segments(n, c, parts, ch, [&](i64 s, int) {
      acc.s += sumDz[s];
      acc.t += sumDzXc[s];
    });
    for (int o = 1; o < 32; o <<= 1) acc = Sums2<A>::merge(acc, acc.shfl_xor(o));
    if ((threadIdx.x & 31) != 0) continue;
    A invStd = (A)1 / sqrt((A)variance[ch] + (A)eps), k = (gamma ? (A)gamma[ch] : (A)1) * invStd, count = (A)n * (A)spatial;
    if (dgamma) dgamma[ch] = acc.t * invStd;
    if (dbeta) dbeta[ch] = acc.s;
    a[ch] = k;
    b[ch] = batchStatistics ? k * acc.s / count : (A)0;
    q[ch] = batchStatistics ? k * invStd * invStd * acc.t / count : (A)0;
  }
}

// A warp per channel, for the fused conditional BN + ReLU with g' = 1 + gain[p] per plane: dbias[p] = Σdz,
// dgain[p] = Σdz·x̂ over the plane (its segments in order); dx̂ = g'·dz, so Σdx̂ = Σ_i g'·Σdz and Σdx̂·x̂ = Σ_i g'·Σdz·x̂
// over the channel's planes, and dx = invstd·(dx̂ − Σdx̂/M − x̂·Σ(dx̂·x̂)/M) = a·dz − b − (x − μ)·q with per-plane
// a = invstd·g', b = invstd·Σdx̂/M, q = invstd²·Σ(dx̂·x̂)/M (batch statistics) or b = q = 0 (fixed statistics).
template <typename T>
__device__ void cbn_relu_backward_combine(const Acc<T>* __restrict__ variance, const Acc<T>* __restrict__ gain, const Acc<T>* __restrict__ sumDz,
                                          const Acc<T>* __restrict__ sumDzXc, double eps, int batchStatistics, Acc<T>* __restrict__ dgain,
                                          Acc<T>* __restrict__ dbias, Acc<T>* __restrict__ a, Acc<T>* __restrict__ b, Acc<T>* __restrict__ q,
                                          int n, int c, int spatial, int segment) {
  typedef Acc<T> A;
  const int parts = (spatial + segment - 1) / segment, lane = threadIdx.x & 31;
  const int warps = (gridDim.x * blockDim.x) >> 5;
  for (int ch = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; ch < c; ch += warps) {
    A invStd = (A)1 / sqrt((A)variance[ch] + (A)eps);
    Sums2<A> m = Sums2<A>::zero();  // Σ_i g'·Σdz, Σ_i g'·Σdz·x̂
    for (int i = lane; i < n; i += 32) {
      i64 p = (i64)i * c + ch;
      A s = 0, sx = 0;
      for (int j = 0; j < parts; j++) {
        s += sumDz[p * parts + j];
        sx += sumDzXc[p * parts + j];
      }
      sx *= invStd;
      dbias[p] = s;
      dgain[p] = sx;
      A g = (A)1 + (A)gain[p];
      m.s += g * s;
      m.t += g * sx;
    }
    for (int o = 1; o < 32; o <<= 1) m = Sums2<A>::merge(m, m.shfl_xor(o));
    A count = (A)n * (A)spatial;
    for (int i = lane; i < n; i += 32) {
      i64 p = (i64)i * c + ch;
      a[p] = invStd * ((A)1 + (A)gain[p]);
      b[p] = batchStatistics ? invStd * m.s / count : (A)0;
      q[p] = batchStatistics ? invStd * invStd * m.t / count : (A)0;
    }
  }
}

#define RG_BATCHNORM(T, S)                                                                                              \
  extern "C" __global__ void bn_stats_segments_##S(const T* x, Acc<T>* segMean, Acc<T>* segM2, int planes, int spatial, \
                                                   int segment) {                                                       \
    bn_stats_segments<T>(x, segMean, segM2, planes, spatial, segment);                                                  \
  }                                                                                                                     \
  extern "C" __global__ void bn_stats_combine_##S(const Acc<T>* segMean, const Acc<T>* segM2, Acc<T>* mean, Acc<T>* variance,      \
                                                  int n, int c, int spatial, int segment) {                             \
    bn_stats_combine<T>(segMean, segM2, mean, variance, n, c, spatial, segment);                                        \
  }                                                                                                                     \
  extern "C" __global__ void bn_forward_##S(const T* x, const Acc<T>* mean, const Acc<T>* variance, const Acc<T>* gamma, const Acc<T>* beta, \
                                            double eps, T* y, int planes, int c, int spatial) {                         \
    normalize<T, false>(x, mean, variance, gamma, beta, eps, y, planes, c, spatial);                                          \
  }                                                                                                                     \
  extern "C" __global__ void bn_backward_segments_##S(const T* x, const T* dy, const Acc<T>* mean, Acc<T>* sumDz,            \
                                                      Acc<T>* sumDzXc, int planes, int c, int spatial, int segment) {   \
    bn_backward_segments<T, false>(x, nullptr, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment);                  \
  }                                                                                                                     \
  extern "C" __global__ void bn_backward_combine_##S(const Acc<T>* variance, const Acc<T>* gamma, const Acc<T>* sumDz,            \
                                                     const Acc<T>* sumDzXc, double eps, int batchStatistics, Acc<T>* dgamma,  \
                                                     Acc<T>* dbeta, Acc<T>* a, Acc<T>* b, Acc<T>* q, int n, int c,           \
                                                     int spatial, int segment) {                                        \
    bn_backward_combine<T>(variance, gamma, sumDz, sumDzXc, eps, batchStatistics, dgamma, dbeta, a, b, q, n, c, spatial, \
                           segment);                                                                                    \
  }                                                                                                                     \
  extern "C" __global__ void bn_backward_apply_##S(const T* x, const T* dy, const Acc<T>* mean, const Acc<T>* a,             \
                                                   const Acc<T>* b, const Acc<T>* q, T* dx, int planes, int c,          \
                                                   int spatial) {                                                       \
    bn_backward_apply<T, false>(x, nullptr, dy, mean, a, b, q, dx, planes, c, spatial);                                 \
  }                                                                                                                     \
  extern "C" __global__ void cbn_relu_forward_##S(const T* x, const Acc<T>* mean, const Acc<T>* variance, const Acc<T>* gain,          \
                                                  const Acc<T>* bias, double eps, T* y, int planes, int c, int spatial) {    \
    normalize<T, true>(x, mean, variance, gain, bias, eps, y, planes, c, spatial);                                     \
  }                                                                                                                     \
  extern "C" __global__ void cbn_relu_backward_segments_##S(const T* x, const T* y, const T* dy, const Acc<T>* mean,         \
                                                            Acc<T>* sumDz, Acc<T>* sumDzXc, int planes, int c,          \
                                                            int spatial, int segment) {                                 \
    bn_backward_segments<T, true>(x, y, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment);                         \
  }                                                                                                                     \
  extern "C" __global__ void cbn_relu_backward_combine_##S(const Acc<T>* variance, const Acc<T>* gain, const Acc<T>* sumDz,       \
                                                           const Acc<T>* sumDzXc, double eps, int batchStatistics,      \
                                                           Acc<T>* dgain, Acc<T>* dbias, Acc<T>* a, Acc<T>* b, Acc<T>* q, int n,  \
                                                           int c, int spatial, int segment) {                           \
    cbn_relu_backward_combine<T>(variance, gain, sumDz, sumDzXc, eps, batchStatistics, dgain, dbias, a, b, q, n, c,     \
                                 spatial, segment);                                                                     \
  }                                                                                                                     \
  extern "C" __global__ void cbn_relu_backward_apply_##S(const T* x, const T* y, const T* dy, const Acc<T>* mean,            \
                                                         const Acc<T>* a, const Acc<T>* b, const Acc<T>* q, T* dx,      \
                                                         int planes, int c, int spatial) {                              \
    bn_backward_apply<T, true>(x, y, dy, mean, a, b, q, dx, planes, c, spatial);                                        \
  }

RG_BATCHNORM(float, f32)
RG_BATCHNORM(double, f64)
RG_BATCHNORM(bf16, bf16)
