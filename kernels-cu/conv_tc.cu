// Convolution on tensor cores: implicit GEMMs with mma.sync on TF32 (float32 storage, inputs rounded with
// cvt.rna when packed) or bfloat16 inputs, float32 accumulation. src/Kernels/Cuda/CudaConvTensorCore.cs runs each
// pass as: pack the operands (conv2d_tc_pack: NCHW activations to NHWC, weights to a k-contiguous order, channels
// zero-padded to whole 16-byte chunks), one product kernel, and for the weight gradient a fixed-order sum of the
// split partial products (conv2d_tc_weight_sum_splits). Products: conv_tc_operands.cuh; the pipelined block product:
// conv_tc_gemm.cuh; the warp instructions: conv_tc_warp.cuh. CPU reference: src/Engine/Backends/Cpu/CpuReducedPrecision.cs.
//
// Tile variants (block BM x BN, warps, pipeline stages, shared memory): 128x128 (8 warps of 64x32, 3 stages, 96 KB),
// 128x64 (4 warps of 64x32, 4 stages, 96 KB) and 64x64 (4 warps of 32x32, 4 stages, 64 KB); the host times them
// against im2col + cuBLAS per shape (autotune).
// Entry names end in the storage type: _f32 is TF32 math on float32, _bf16 bfloat16. The forward and backward-data
// products write NCHW float32 or (outBf16 != 0) bfloat16 directly; the weight gradient writes float32 partials
// [split][K][R·S·Cp] that the sum kernel reorders to (K, C, R, S) and rounds once.
#include "conv_tc_operands.cuh"

namespace {

// Stores the block's accumulators to an NCHW tensor whose channels are the product's columns and whose positions
// (n, plane index) are its rows.
template <class Cfg>
__device__ __forceinline__ void tc_store_nchw(const float (&acc)[Cfg::MT][Cfg::NT][4], void* out, bool outBf16, int m0, int n0,
                                              int rows, int channels, int plane) {
  FastDivmod byPlane(plane);
#pragma unroll
  for (int i = 0; i < Cfg::MT; i++)
#pragma unroll
    for (int half = 0; half < 2; half++) {
      int row = m0 + tc_acc_row<Cfg>(i, 2 * half);
      if (row >= rows) continue;
      int img = byPlane.div(row);
      i64 base = (i64)img * channels * plane + byPlane.mod(row, img);
#pragma unroll
      for (int j = 0; j < Cfg::NT; j++)
#pragma unroll
        for (int e = 0; e < 2; e++) {
          int col = n0 + tc_acc_col<Cfg>(j, e);
          if (col >= channels) continue;
          float v = acc[i][j][2 * half + e];
          i64 at = base + (i64)col * plane;
          if (outBf16) static_cast<bf16*>(out)[at] = f32_to_bf16(v);
          else static_cast<float*>(out)[at] = v;
        }
    }
}

// dst[i0][i1][i2] = src[i0·s0 + i1 + i2·s2] for i2 < d2, 0 for d2 <= i2 < d2p (float32 rounded to TF32): a
// transpose through shared memory in tiles of T1 x T2 = 1024 (T1 = 2^log2T1 along i1, contiguous in src;
// T2 along i2, contiguous in dst), padded by one element per row against bank conflicts.
template <typename E>
__device__ __forceinline__ void tc_pack(const E* src, E* dst, int d1, int d2, int d2p, int s0, int s2, int log2T1) {
  __shared__ E tile[1024 + 32];
  int T1 = 1 << log2T1, log2T2 = 10 - log2T1, T2 = 1 << log2T2;
  int tiles1 = (d1 + T1 - 1) >> log2T1, tiles2 = (d2p + T2 - 1) >> log2T2;
  int b = blockIdx.x, t2 = b % tiles2, t1 = (b / tiles2) % tiles1, i0 = b / tiles2 / tiles1;
  const E* s = src + (i64)i0 * s0;
  E* d = dst + (i64)i0 * d1 * d2p;
  for (int e = threadIdx.x; e < 1024; e += blockDim.x) {
    int i1l = e & (T1 - 1), i2l = e >> log2T1, i1 = t1 * T1 + i1l, i2 = t2 * T2 + i2l;
    E v = 0;
    if (i1 < d1 && i2 < d2) v = s[(i64)i2 * s2 + i1];
    if constexpr (sizeof(E) == 4) v = round_tf32(v);
    tile[i1l * (T2 + 1) + i2l] = v;
  }
  __syncthreads();
  for (int e = threadIdx.x; e < 1024; e += blockDim.x) {
    int i2l = e & (T2 - 1), i1l = e >> log2T2, i1 = t1 * T1 + i1l, i2 = t2 * T2 + i2l;
    if (i1 < d1 && i2 < d2p) d[(i64)i1 * d2p + i2] = tile[i1l * (T2 + 1) + i2l];
  }
}

// The forward and backward-data products: rows are positions (n, plane index) of the NCHW output, columns its
// channels; Operands gathers the packed activations (A) and reads the packed weights (B).
template <class Cfg, class Operands>
__device__ __forceinline__ void tc_product_nchw(const typename Cfg::Element* activations, const typename Cfg::Element* weights, void* out,
                                                const TcShape& g, bool outBf16, int rows, int channels, int plane) {
  int tm, tn;
  tc_tile_of_block(blockIdx.x, (rows + Cfg::BM - 1) / Cfg::BM, (channels + Cfg::BN - 1) / Cfg::BN, tm, tn);
  Operands ops(activations, weights, g, tm * Cfg::BM, tn * Cfg::BN);
  float acc[Cfg::MT][Cfg::NT][4];
  tc_mainloop<Cfg, true>(ops, (ops.weights.depth + Cfg::BK - 1) / Cfg::BK, acc);
  tc_store_nchw<Cfg>(acc, out, outBf16, tm * Cfg::BM, tn * Cfg::BN, rows, channels, plane);
}

// Blocks [split · tiles, (split + 1) · tiles) multiply positions [split · perSplit, (split + 1) · perSplit) into
// partial[split] (K x R·S·Cp, float32; column pairs written as float2: the column is even and the width a multiple of VEC).
template <class Cfg>
__device__ __forceinline__ void tc_backward_weight(const typename Cfg::Element* x, const typename Cfg::Element* dy, float* partial,
                                                   const TcShape& g, int perSplit) {
  int cols = g.R * g.S * ((g.C + Cfg::VEC - 1) / Cfg::VEC * Cfg::VEC), tilesM = (g.K + Cfg::BM - 1) / Cfg::BM;
  int tilesN = (cols + Cfg::BN - 1) / Cfg::BN, split = blockIdx.x / (tilesM * tilesN), tm, tn;
  tc_tile_of_block(blockIdx.x % (tilesM * tilesN), tilesM, tilesN, tm, tn);
  int pBegin = split * perSplit, pEnd = min(g.N * g.OH * g.OW, pBegin + perSplit);
  BackwardWeightOperands<Cfg> ops(x, dy, g, tm * Cfg::BM, tn * Cfg::BN, pBegin, pEnd);
  float acc[Cfg::MT][Cfg::NT][4];
  tc_mainloop<Cfg, false>(ops, max(0, pEnd - pBegin + Cfg::BK - 1) / Cfg::BK, acc);
  float* out = partial + (i64)split * g.K * cols;
#pragma unroll
  for (int i = 0; i < Cfg::MT; i++)
#pragma unroll
    for (int half = 0; half < 2; half++) {
      int k = tm * Cfg::BM + tc_acc_row<Cfg>(i, 2 * half);
#pragma unroll
      for (int j = 0; j < Cfg::NT; j++) {
        int col = tn * Cfg::BN + tc_acc_col<Cfg>(j, 0);
        if (k < g.K && col < cols)
          *reinterpret_cast<float2*>(out + (i64)k * cols + col) = make_float2(acc[i][j][2 * half], acc[i][j][2 * half + 1]);
      }
    }
}

}  // namespace

#define RG_TC_SHAPE_PARAMS int N, int C, int H, int W, int K, int R, int S, int OH, int OW, int sh, int sw, int ph, int pw
#define RG_TC_SHAPE \
  TcShape { N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw }

// One tile variant of the three products for storage type E.
#define RG_CONV_TC_TILE(E, Sx, BM, BN, WARPS_N, STAGES)                                                                       \
  extern "C" __global__ void __launch_bounds__(64 * WARPS_N)                                                                  \
      conv2d_tc_forward_##BM##x##BN##_##Sx(const E* x, const E* w, void* y, RG_TC_SHAPE_PARAMS, int outBf16) {               \
    typedef TcConfig<E, BM, BN, WARPS_N, STAGES> Cfg;                                                                        \
    tc_product_nchw<Cfg, ForwardOperands<Cfg>>(x, w, y, RG_TC_SHAPE, outBf16 != 0, N * OH * OW, K, OH * OW);                  \
  }                                                                                                                           \
  extern "C" __global__ void __launch_bounds__(64 * WARPS_N)                                                                  \
      conv2d_tc_backward_data_##BM##x##BN##_##Sx(const E* dy, const E* w, void* dx, RG_TC_SHAPE_PARAMS, int outBf16) {        \
    typedef TcConfig<E, BM, BN, WARPS_N, STAGES> Cfg;                                                                        \
    tc_product_nchw<Cfg, BackwardDataOperands<Cfg>>(dy, w, dx, RG_TC_SHAPE, outBf16 != 0, N * H * W, C, H * W);               \
  }                                                                                                                           \
  extern "C" __global__ void __launch_bounds__(64 * WARPS_N) conv2d_tc_backward_weight_##BM##x##BN##_##Sx(                    \
      const E* x, const E* dy, float* partial, RG_TC_SHAPE_PARAMS, int perSplit) {                                            \
    tc_backward_weight<TcConfig<E, BM, BN, WARPS_N, STAGES>>(x, dy, partial, RG_TC_SHAPE, perSplit);                          \
  }

#define RG_CONV_TC(E, Sx)                                                                                                \
  RG_CONV_TC_TILE(E, Sx, 128, 128, 4, 3)                                                                                 \
  RG_CONV_TC_TILE(E, Sx, 128, 64, 2, 4)                                                                                  \
  RG_CONV_TC_TILE(E, Sx, 64, 64, 2, 4)                                                                                   \
  extern "C" __global__ void conv2d_tc_pack_##Sx(const E* src, E* dst, int d1, int d2, int d2p, int s0, int s2, int log2T1) { \
    tc_pack<E>(src, dst, d1, d2, d2p, s0, s2, log2T1);                                                                   \
  }

RG_CONV_TC(float, f32)
RG_CONV_TC(bf16, bf16)

// dw(k, c, r, s) = Σ over splits, in order, of partial[split][k][(r·S + s)·Cp + c], rounded once to T.
#define RG_CONV_TC_SUM(T, Sx)                                                                                            \
  extern "C" __global__ void conv2d_tc_weight_sum_splits_##Sx(const float* partial, T* dw, int K, int C, int RS, int Cp, int splits) { \
    i64 cols = (i64)RS * Cp, total = (i64)K * C * RS;                                                                   \
    RG_FOR(i, total) {                                                                                                   \
      i64 kc = i / RS, k = kc / C;                                                                                       \
      int rs = (int)(i - kc * RS), c = (int)(kc - k * C);                                                                \
      const float* p = partial + k * cols + (i64)rs * Cp + c;                                                            \
      float sum = 0.f;                                                                                                   \
      for (int s = 0; s < splits; s++) sum += p[(i64)s * K * cols];                                                     \
      dw[i] = narrow<T>(sum);                                                                                            \
    }                                                                                                                    \
  }

RG_CONV_TC_SUM(float, f32)
RG_CONV_TC_SUM(bf16, bf16)
