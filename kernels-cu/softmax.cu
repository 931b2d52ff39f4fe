// Row softmax of a (rows, cols) matrix and its backward dx = y ⊙ (dy − Σ dy·y).
// CPU reference: src/Engine/Backends/Cpu/CpuReduction.cs.
//
// One warp per row when rows are short (attention rows hold HW/4 ≤ 1024 scores), one block per row otherwise.
// Each pass strides the row the same way, so a thread re-reads only elements it touched itself (from L1/L2):
// forward reads x twice, writes exp(x − max) to y and rescales it in place; backward reads y and dy twice.
#include "common.cuh"

__device__ __forceinline__ float rg_exp(float x) { return expf(x); }
__device__ __forceinline__ double rg_exp(double x) { return exp(x); }

// The rows a group (a warp, or the whole block) handles: all threads of a group run the same rows, so the
// group-wide max and sum are reached uniformly.
#define RG_ROW_GROUP                                                                               \
  const int group = WARP ? 32 : (int)blockDim.x;                                                   \
  const int lane = WARP ? (int)(threadIdx.x & 31) : (int)threadIdx.x;                              \
  const int groups_per_block = WARP ? (int)(blockDim.x >> 5) : 1;                                  \
  const i64 first = (i64)blockIdx.x * groups_per_block + (WARP ? (threadIdx.x >> 5) : 0);          \
  const i64 stride = (i64)gridDim.x * groups_per_block

template <typename T, bool WARP>
__device__ void softmax_fwd(const T* x, T* y, int rows, int cols) {
  __shared__ T shared[32];
  RG_ROW_GROUP;
  for (i64 row = first; row < rows; row += stride) {
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    // Subtract the row maximum first so exp never overflows.
    T m = -(T)INFINITY;
    for (int j = lane; j < cols; j += group) m = max(m, xr[j]);
    m = WARP ? warp_max(m) : block_max(m, shared);
    T s = (T)0;
    for (int j = lane; j < cols; j += group) {
      T e = rg_exp(xr[j] - m);
      yr[j] = e;
      s += e;
    }
    s = WARP ? warp_sum(s) : block_sum(s, shared);
    for (int j = lane; j < cols; j += group) yr[j] = yr[j] / s;
  }
}

template <typename T, bool WARP>
__device__ void softmax_bwd(const T* y, const T* dy, T* dx, int rows, int cols) {
  __shared__ T shared[32];
  RG_ROW_GROUP;
  for (i64 row = first; row < rows; row += stride) {
    const T* yr = y + row * cols;
    const T* gr = dy + row * cols;
    T* dr = dx + row * cols;
    T dot = (T)0;
    for (int j = lane; j < cols; j += group) dot += gr[j] * yr[j];
    dot = WARP ? warp_sum(dot) : block_sum(dot, shared);
    for (int j = lane; j < cols; j += group) dr[j] = (gr[j] - dot) * yr[j];
  }
}

#define RG_SOFTMAX(T, S)                                                                                                 \
  extern "C" __global__ void softmax_fwd_warp_##S(const T* x, T* y, int rows, int cols) { softmax_fwd<T, true>(x, y, rows, cols); }  \
  extern "C" __global__ void softmax_fwd_block_##S(const T* x, T* y, int rows, int cols) { softmax_fwd<T, false>(x, y, rows, cols); } \
  extern "C" __global__ void softmax_bwd_warp_##S(const T* y, const T* dy, T* dx, int rows, int cols) {                            \
    softmax_bwd<T, true>(y, dy, dx, rows, cols);                                                                                   \
  }                                                                                                                                \
  extern "C" __global__ void softmax_bwd_block_##S(const T* y, const T* dy, T* dx, int rows, int cols) {                           \
    softmax_bwd<T, false>(y, dy, dx, rows, cols);                                                                                  \
  }

RG_SOFTMAX(float, f32)
RG_SOFTMAX(double, f64)
