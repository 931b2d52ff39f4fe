// Convolution as implicit GEMM: the forward, backward-data and backward-weight products run as tiled matrix
// products whose operands are gathered from x, w and dy on the fly, with no column buffer in memory. The
// alternative to conv.cu's im2col/col2im + cuBLAS path; src/Kernels/Cuda/CudaConv.cs selects between them
// (CudaBackend.ConvAlgorithm, RAWGAN_CONV_ALGO). CPU reference: src/Engine/Backends/Cpu/CpuConv.cs.
//
// Each product C (M × Ncols) = A (M × Kd) · B (Kd × Ncols):
//   forward          y:  M = K, Ncols = N·OH·OW, Kd = C·R·S;  A = w,                B = x's receptive fields
//   backward-data    dx: M = C, Ncols = N·H·W,   Kd = K·R·S;  A = w transposed,     B = dy at the taps that reach x
//   backward-weight  dw: M = K, Ncols = C·R·S,   Kd = N·OH·OW; A = dy,              B = x's receptive fields
// Any kernel size, stride and padding: BigGAN's 3x3/pad-1 and 1x1 convolutions are the cases that matter.
//
// Tiling: a 256-thread block computes a 64 × 64 tile of C, in 16-deep slices of Kd. Each thread gathers 4 A
// and 4 B values per slice into registers (the next slice's loads are issued before the current slice's
// multiply-adds, hiding their latency), the block stores them to shared memory, and each thread accumulates
// a 4 × 4 micro-tile in registers from vector loads of shared memory (two per 16 multiply-adds in float32).
// Rows of the shared tiles are padded by 4 to spread the transposing stores over the banks. Every gather is
// bounds-checked (zero outside the image, the matrix and the slice), so no size needs to be a multiple of the
// tile.
//
// The backward-weight product has a long Kd (N·OH·OW) and few tiles, so it is split over Kd into `splits`
// partial products (blockIdx), written to a partial buffer and summed in a fixed order by conv2d_igemm_sum_splits:
// deterministic, no atomics. The host keeps every index below 2^31 (per-image sizes and whole tensors), so
// indices are 32-bit; addresses that scale with the batch are 64-bit.
#include "common.cuh"

namespace {

constexpr int TM = 64, TN = 64, TK = 16, THREADS = 256, PAD = 4;

struct ConvShape {
  int N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw;
};

// Shared tiles: As[kk][m] and Bs[kk][col] for one Kd slice. Rows are 16-byte multiples and the struct is 16-byte
// aligned, so each thread reads its four consecutive values of a row as one vector load (load4).
template <typename T>
struct __align__(16) Tiles {
  T a[TK][TM + PAD];
  T b[TK][TN + PAD];
};

__device__ __forceinline__ void load4(const float* p, float (&v)[4]) {
  float4 q = *reinterpret_cast<const float4*>(p);
  v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
}

__device__ __forceinline__ void load4(const double* p, double (&v)[4]) {
  double2 lo = *reinterpret_cast<const double2*>(p), hi = *reinterpret_cast<const double2*>(p + 2);
  v[0] = lo.x, v[1] = lo.y, v[2] = hi.x, v[3] = hi.y;
}

// The block's product over Kd slices [kBegin, kEnd); P gathers A and B and stores C. Thread t owns rows
// ty·4 .. ty·4 + 3 and columns tx·4 .. tx·4 + 3 of the tile (ty = t / 16, tx = t % 16).
template <typename T, typename P>
__device__ __forceinline__ void igemm_tile(P& p, int kBegin, int kEnd) {
  __shared__ Tiles<T> tiles;
  int t = threadIdx.x, ty = t / 16, tx = t % 16;
  T ra[4], rb[4];
  T acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) acc[i][j] = (T)0;

  p.loadA(kBegin, kEnd, ra);
  p.loadB(kBegin, kEnd, rb);
  for (int k0 = kBegin; k0 < kEnd; k0 += TK) {
    p.storeA(tiles.a, ra);
    p.storeB(tiles.b, rb);
    __syncthreads();
    if (k0 + TK < kEnd) {  // the next slice's gathers overlap this slice's arithmetic
      p.loadA(k0 + TK, kEnd, ra);
      p.loadB(k0 + TK, kEnd, rb);
    }
#pragma unroll
    for (int kk = 0; kk < TK; kk++) {
      T a[4], b[4];
      load4(&tiles.a[kk][ty * 4], a);
      load4(&tiles.b[kk][tx * 4], b);
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();  // the tiles are overwritten by the next slice
  }
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) p.store(ty * 4 + i, tx * 4 + j, acc[i][j]);
}

// Load mappings. "Row-fixed" A: thread t gathers A(m0 + t/16 + 16e, k0 + t%16) for e = 0..3, so its slice
// offset is fixed and consecutive threads read consecutive kk. "Column-fixed" B: thread t gathers
// B(k0 + t/64 + 4e, n0 + t%64), one fixed column, consecutive threads on consecutive columns. "Depth-fixed"
// B: B(k0 + t%16, n0 + t/16 + 16e), a fixed slice offset and four fixed columns.

// Forward: A = w (K × C·R·S, row-major); B(kk = (c, r, s), j = (n, oh, ow)) = x(n, c, oh·sh − ph + r, ow·sw − pw + s).
template <typename T>
struct ForwardProblem {
  const T* __restrict__ x;
  const T* __restrict__ w;
  T* __restrict__ y;
  ConvShape g;
  int m0, n0, Kd, RS, OHW, Ncols;
  // B's column
  const T* xn;
  int ih0, iw0;
  bool colValid;

  __device__ ForwardProblem(const T* x_, const T* w_, T* y_, ConvShape g_, int m0_, int n0_) : x(x_), w(w_), y(y_), g(g_), m0(m0_), n0(n0_) {
    RS = g.R * g.S;
    Kd = g.C * RS;
    OHW = g.OH * g.OW;
    Ncols = g.N * OHW;
    int j = n0 + threadIdx.x % TN;
    colValid = j < Ncols;
    int n = j / OHW, q = j - n * OHW, oh = q / g.OW, ow = q - oh * g.OW;
    ih0 = oh * g.sh - g.ph;
    iw0 = ow * g.sw - g.pw;
    xn = x + (i64)(colValid ? n : 0) * g.C * g.H * g.W;
  }

  __device__ void loadA(int k0, int kEnd, T (&ra)[4]) const {
    int kk = k0 + threadIdx.x % TK;
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int m = m0 + threadIdx.x / TK + 16 * e;
      ra[e] = m < g.K && kk < kEnd ? w[(i64)m * Kd + kk] : (T)0;
    }
  }
  __device__ void storeA(T (&a)[TK][TM + PAD], const T (&ra)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) a[threadIdx.x % TK][threadIdx.x / TK + 16 * e] = ra[e];
  }
  __device__ void loadB(int k0, int kEnd, T (&rb)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int kk = k0 + threadIdx.x / TN + 4 * e;
      int c = kk / RS, rs = kk - c * RS, r = rs / g.S, s = rs - r * g.S;
      int ih = ih0 + r, iw = iw0 + s;
      bool in = colValid && kk < kEnd && (unsigned)ih < (unsigned)g.H && (unsigned)iw < (unsigned)g.W;
      rb[e] = in ? xn[(c * g.H + ih) * g.W + iw] : (T)0;
    }
  }
  __device__ void storeB(T (&b)[TK][TN + PAD], const T (&rb)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) b[threadIdx.x / TN + 4 * e][threadIdx.x % TN] = rb[e];
  }
  __device__ void store(int i, int j, T v) const {
    int m = m0 + i, col = n0 + j;
    if (m >= g.K || col >= Ncols) return;
    int n = col / OHW, q = col - n * OHW;
    y[((i64)n * g.K + m) * OHW + q] = v;
  }
};

// Backward-data: A(c, kk = (k, r, s)) = w(k, c, r, s); B(kk, j = (n, ih, iw)) = dy(n, k, oh, ow) where
// oh·sh = ih + ph − r and ow·sw = iw + pw − s exactly and in range (else 0). dx is overwritten.
template <typename T>
struct BackwardDataProblem {
  const T* __restrict__ dy;
  const T* __restrict__ w;
  T* __restrict__ dx;
  ConvShape g;
  int m0, n0, Kd, RS, HW, Ncols;
  const T* dyn;
  int y0, z0;
  bool colValid;

  __device__ BackwardDataProblem(const T* dy_, const T* w_, T* dx_, ConvShape g_, int m0_, int n0_)
      : dy(dy_), w(w_), dx(dx_), g(g_), m0(m0_), n0(n0_) {
    RS = g.R * g.S;
    Kd = g.K * RS;
    HW = g.H * g.W;
    Ncols = g.N * HW;
    int j = n0 + threadIdx.x % TN;
    colValid = j < Ncols;
    int n = j / HW, q = j - n * HW, ih = q / g.W, iw = q - ih * g.W;
    y0 = ih + g.ph;
    z0 = iw + g.pw;
    dyn = dy + (i64)(colValid ? n : 0) * g.K * g.OH * g.OW;
  }

  __device__ void loadA(int k0, int kEnd, T (&ra)[4]) const {
    int kk = k0 + threadIdx.x % TK;
    int k = kk / RS, rs = kk - k * RS;
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int c = m0 + threadIdx.x / TK + 16 * e;
      ra[e] = c < g.C && kk < kEnd ? w[((i64)k * g.C + c) * RS + rs] : (T)0;
    }
  }
  __device__ void storeA(T (&a)[TK][TM + PAD], const T (&ra)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) a[threadIdx.x % TK][threadIdx.x / TK + 16 * e] = ra[e];
  }
  __device__ void loadB(int k0, int kEnd, T (&rb)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int kk = k0 + threadIdx.x / TN + 4 * e;
      int k = kk / RS, rs = kk - k * RS, r = rs / g.S, s = rs - r * g.S;
      int yy = y0 - r, zz = z0 - s;
      int oh = yy / g.sh, ow = zz / g.sw;
      bool in = colValid && kk < kEnd && yy >= 0 && zz >= 0 && oh * g.sh == yy && ow * g.sw == zz && oh < g.OH && ow < g.OW;
      rb[e] = in ? dyn[(k * g.OH + oh) * g.OW + ow] : (T)0;
    }
  }
  __device__ void storeB(T (&b)[TK][TN + PAD], const T (&rb)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) b[threadIdx.x / TN + 4 * e][threadIdx.x % TN] = rb[e];
  }
  __device__ void store(int i, int j, T v) const {
    int c = m0 + i, col = n0 + j;
    if (c >= g.C || col >= Ncols) return;
    int n = col / HW, q = col - n * HW;
    dx[((i64)n * g.C + c) * HW + q] = v;
  }
};

// Backward-weight: A(k, kk = (n, oh, ow)) = dy(n, k, oh, ow); B(kk, j = (c, r, s)) = x(n, c, oh·sh − ph + r,
// ow·sw − pw + s), depth-fixed so that each thread's four columns (c, r, s) are decomposed once. Split `split`
// writes its partial product to out + split·K·C·R·S.
template <typename T>
struct BackwardWeightProblem {
  const T* __restrict__ x;
  const T* __restrict__ dy;
  T* __restrict__ out;
  ConvShape g;
  int m0, n0, RS, OHW, HW, Ncols;
  int cOffset[4], r[4], s[4];
  bool colValid[4];

  __device__ BackwardWeightProblem(const T* x_, const T* dy_, T* out_, ConvShape g_, int m0_, int n0_)
      : x(x_), dy(dy_), out(out_), g(g_), m0(m0_), n0(n0_) {
    RS = g.R * g.S;
    OHW = g.OH * g.OW;
    HW = g.H * g.W;
    Ncols = g.C * RS;
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int j = n0 + threadIdx.x / TK + 16 * e;
      colValid[e] = j < Ncols;
      int c = j / RS, rs = j - c * RS;
      r[e] = rs / g.S;
      s[e] = rs - r[e] * g.S;
      cOffset[e] = c * HW;
    }
  }

  __device__ void loadA(int k0, int kEnd, T (&ra)[4]) const {
    int kk = k0 + threadIdx.x % TK;
    int n = kk / OHW, q = kk - n * OHW;
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int k = m0 + threadIdx.x / TK + 16 * e;
      ra[e] = k < g.K && kk < kEnd ? dy[((i64)n * g.K + k) * OHW + q] : (T)0;
    }
  }
  __device__ void storeA(T (&a)[TK][TM + PAD], const T (&ra)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) a[threadIdx.x % TK][threadIdx.x / TK + 16 * e] = ra[e];
  }
  __device__ void loadB(int k0, int kEnd, T (&rb)[4]) const {
    int kk = k0 + threadIdx.x % TK;
    int n = kk / OHW, q = kk - n * OHW, oh = q / g.OW, ow = q - oh * g.OW;
    int ih0 = oh * g.sh - g.ph, iw0 = ow * g.sw - g.pw;
    const T* xn = x + (i64)n * g.C * HW;
#pragma unroll
    for (int e = 0; e < 4; e++) {
      int ih = ih0 + r[e], iw = iw0 + s[e];
      bool in = colValid[e] && kk < kEnd && (unsigned)ih < (unsigned)g.H && (unsigned)iw < (unsigned)g.W;
      rb[e] = in ? xn[cOffset[e] + ih * g.W + iw] : (T)0;
    }
  }
  __device__ void storeB(T (&b)[TK][TN + PAD], const T (&rb)[4]) const {
#pragma unroll
    for (int e = 0; e < 4; e++) b[threadIdx.x % TK][threadIdx.x / TK + 16 * e] = rb[e];
  }
  __device__ void store(int i, int j, T v) const {
    int k = m0 + i, col = n0 + j;
    if (k >= g.K || col >= Ncols) return;
    out[(i64)k * Ncols + col] = v;
  }
};

// Block → (row tile, column tile, split): column tiles vary fastest.
__device__ __forceinline__ void tile_of_block(int M, int Ncols, int& m0, int& n0, int& split) {
  int tilesN = (Ncols + TN - 1) / TN, tilesM = (M + TM - 1) / TM;
  int b = blockIdx.x, tn = b % tilesN, rest = b / tilesN;
  m0 = (rest % tilesM) * TM;
  n0 = tn * TN;
  split = rest / tilesM;
}

}  // namespace

#define RG_CONV_SHAPE N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw
#define RG_CONV_SHAPE_PARAMS \
  int N, int C, int H, int W, int K, int R, int S, int OH, int OW, int sh, int sw, int ph, int pw

#define RG_CONV_IGEMM(T, Sx)                                                                                        \
  extern "C" __global__ void __launch_bounds__(THREADS)                                                            \
      conv2d_igemm_forward_##Sx(const T* x, const T* w, T* y, RG_CONV_SHAPE_PARAMS) {                              \
    ConvShape g{RG_CONV_SHAPE};                                                                                     \
    int m0, n0, split;                                                                                              \
    tile_of_block(K, N * OH * OW, m0, n0, split);                                                                   \
    ForwardProblem<T> p(x, w, y, g, m0, n0);                                                                        \
    igemm_tile<T>(p, 0, p.Kd);                                                                                      \
  }                                                                                                                 \
  extern "C" __global__ void __launch_bounds__(THREADS)                                                            \
      conv2d_igemm_backward_data_##Sx(const T* dy, const T* w, T* dx, RG_CONV_SHAPE_PARAMS) {                      \
    ConvShape g{RG_CONV_SHAPE};                                                                                     \
    int m0, n0, split;                                                                                              \
    tile_of_block(C, N * H * W, m0, n0, split);                                                                     \
    BackwardDataProblem<T> p(dy, w, dx, g, m0, n0);                                                                 \
    igemm_tile<T>(p, 0, p.Kd);                                                                                      \
  }                                                                                                                 \
  extern "C" __global__ void __launch_bounds__(THREADS) conv2d_igemm_backward_weight_##Sx(                          \
      const T* x, const T* dy, T* partial, RG_CONV_SHAPE_PARAMS, int kPerSplit) {                                   \
    ConvShape g{RG_CONV_SHAPE};                                                                                     \
    int m0, n0, split;                                                                                              \
    tile_of_block(K, C * R * S, m0, n0, split);                                                                     \
    int kd = N * OH * OW, kBegin = split * kPerSplit, kEnd = min(kd, kBegin + kPerSplit);                           \
    BackwardWeightProblem<T> p(x, dy, partial + (i64)split * K * C * R * S, g, m0, n0);                             \
    igemm_tile<T>(p, kBegin, kEnd);                                                                                 \
  }                                                                                                                 \
  extern "C" __global__ void conv2d_igemm_sum_splits_##Sx(const T* partial, T* dw, int count, int splits) {         \
    RG_FOR(i, count) {                                                                                              \
      T sum = (T)0;                                                                                                 \
      for (int s = 0; s < splits; s++) sum += partial[(i64)s * count + i];                                         \
      dw[i] = sum;                                                                                                  \
    }                                                                                                               \
  }

RG_CONV_IGEMM(float, f32)
RG_CONV_IGEMM(double, f64)
