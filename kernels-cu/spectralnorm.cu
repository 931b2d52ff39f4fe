// One power iteration on W viewed as (rows, cols): v = normalize(Wᵀu), u' = normalize(W v), σ = u'ᵀ(W v), with
// normalize(a) = a / max(|a|, eps). CPU reference: src/Engine/Backends/Cpu/CpuSpectralNorm.cs (sums in T, as
// there and in PyTorch). Four launches, stream-ordered, no host round-trip:
//   sn_wtu       partial column sums of Wᵀu over row slices (deterministic, no atomics)
//   sn_v         one block: t = Σ partials, v = t / max(|t|, eps)
//   sn_wv        one warp per row: (W v)_i
//   sn_finalize  one block: u' = Wv / max(|Wv|, eps), σ = u'·(Wv)
// W is read twice from memory (once per product) and that is the whole cost for BigGAN's large weights; the
// vectors and partial sums are a few tens of kilobytes. u is read only by sn_wtu and u' written only by
// sn_finalize, so u and uOut may be one buffer.
#include "common.cuh"

#define SN_WARPS 8  // warps per sn_wtu block: 32 columns × 8 row lanes

// Block b handles 32 consecutive columns (lane = column, so each warp reads 128 contiguous bytes of a row) of
// the row slice [slice·rowsPerSlice, …): warp w sums rows w, w + 8, …, then warp 0 adds the 8 warp sums in a
// fixed order. partial (slices, cols) row `slice` gets the slice's column sums. blockDim.x = 32·SN_WARPS.
template <typename T>
__device__ void sn_wtu(const T* __restrict__ w, const T* __restrict__ u, T* __restrict__ partial, int rows, int cols,
                       int colBlocks, int rowsPerSlice) {
  __shared__ T sums[SN_WARPS][32];
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int slice = blockIdx.x / colBlocks, col = (blockIdx.x % colBlocks) * 32 + lane;
  int r0 = slice * rowsPerSlice, r1 = min(rows, r0 + rowsPerSlice);
  T acc = (T)0;
  if (col < cols) {
    for (int i = r0 + warp; i < r1; i += SN_WARPS) acc += w[(i64)i * cols + col] * u[i];
  }
  sums[warp][lane] = acc;
  __syncthreads();
  if (warp == 0 && col < cols) {
    T t = (T)0;
    for (int k = 0; k < SN_WARPS; k++) t += sums[k][lane];
    partial[(i64)slice * cols + col] = t;
  }
}

// One block: t_j = Σ_slice partial[slice, j] (fixed order), v = t / max(|t|, eps). Each thread rescales the
// entries it wrote itself, so no barrier is needed between the two loops beyond block_sum's.
template <typename T>
__device__ void sn_v(const T* __restrict__ partial, T* __restrict__ v, int cols, int slices, T eps) {
  __shared__ T shared[32];
  T ss = (T)0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) {
    T t = (T)0;
    for (int s = 0; s < slices; s++) t += partial[(i64)s * cols + j];
    v[j] = t;
    ss += t * t;
  }
  T norm = max(sqrt(block_sum(ss, shared)), eps);
  for (int j = threadIdx.x; j < cols; j += blockDim.x) v[j] = v[j] / norm;
}

// One warp per row (grid-stride over rows): wv_i = Σ_j W_ij v_j, lanes along the row (coalesced).
template <typename T>
__device__ void sn_wv(const T* __restrict__ w, const T* __restrict__ v, T* __restrict__ wv, int rows, int cols) {
  int lane = threadIdx.x & 31;
  int warpsPerBlock = blockDim.x >> 5;
  for (int i = blockIdx.x * warpsPerBlock + (threadIdx.x >> 5); i < rows; i += gridDim.x * warpsPerBlock) {
    const T* row = w + (i64)i * cols;
    T acc = (T)0;
    for (int j = lane; j < cols; j += 32) acc += row[j] * v[j];
    acc = warp_sum(acc);
    if (lane == 0) wv[i] = acc;
  }
}

// One block: u' = wv / max(|wv|, eps), σ = u'·wv.
template <typename T>
__device__ void sn_finalize(const T* __restrict__ wv, T* __restrict__ uOut, T* __restrict__ sigma, int rows, T eps) {
  __shared__ T shared[32];
  T ss = (T)0;
  for (int i = threadIdx.x; i < rows; i += blockDim.x) ss += wv[i] * wv[i];
  T norm = max(sqrt(block_sum(ss, shared)), eps);
  T dot = (T)0;
  for (int i = threadIdx.x; i < rows; i += blockDim.x) {
    T a = wv[i], b = a / norm;
    uOut[i] = b;
    dot += b * a;
  }
  dot = block_sum(dot, shared);
  if (threadIdx.x == 0) sigma[0] = dot;
}

#define RG_SPECTRALNORM(T, S)                                                                                       \
  extern "C" __global__ void sn_wtu_##S(const T* w, const T* u, T* partial, int rows, int cols, int colBlocks,      \
                                        int rowsPerSlice) {                                                         \
    sn_wtu<T>(w, u, partial, rows, cols, colBlocks, rowsPerSlice);                                                  \
  }                                                                                                                 \
  extern "C" __global__ void sn_v_##S(const T* partial, T* v, int cols, int slices, T eps) {                        \
    sn_v<T>(partial, v, cols, slices, eps);                                                                         \
  }                                                                                                                 \
  extern "C" __global__ void sn_wv_##S(const T* w, const T* v, T* wv, int rows, int cols) {                         \
    sn_wv<T>(w, v, wv, rows, cols);                                                                                 \
  }                                                                                                                 \
  extern "C" __global__ void sn_finalize_##S(const T* wv, T* uOut, T* sigma, int rows, T eps) {                     \
    sn_finalize<T>(wv, uOut, sigma, rows, eps);                                                                     \
  }

RG_SPECTRALNORM(float, f32)
RG_SPECTRALNORM(double, f64)
