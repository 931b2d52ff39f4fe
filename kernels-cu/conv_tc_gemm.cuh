// The block-level product of the tensor-core convolution: C (BM x BN, float32 accumulators in registers) =
// Σ over k-tiles of A (BM x BK) · B (BK x BN), with A and B staged through a multi-stage cp.async pipeline in
// swizzled shared memory and fed to mma.sync by ldmatrix. The operands (conv_tc_operands.cuh) say where each
// 16-byte chunk of a k-tile comes from; this file does not know about convolutions.
//
// Shapes. 2 x WARPS_N warps per block, each owning a WM x WN = BM/2 x BN/WARPS_N tile of C: MT x NT mma tiles of
// 16 x 8. A stage holds 128 bytes of k per row of A and of B: BK = 32 TF32 or 64 bfloat16 values, four mma k-steps
// of 32 bytes (k8 for TF32, k16 for bfloat16).
//
// Layouts. K-major operands (the forward and backward-data products) keep each row of A (an m) and of B (an n) as
// 128 contiguous bytes of k: ldmatrix (not transposed) gives both fragments, for TF32 too (a 32-bit element is
// two 16-bit halves of one 8x8 b16 matrix row). MN-major operands (the weight gradient, where k runs over
// positions) keep each k as a row of BM (or BN) values: bfloat16 fragments come from ldmatrix.trans, TF32 ones
// from 32-bit shared loads (ldmatrix cannot transpose 32-bit elements).
//
// Swizzle. Rows are whole multiples of 128 bytes (8 chunks of 16), and chunk c of row r is stored at chunk
// c ^ x(r) with x(r) = 2(r mod 4) + (r / 4 mod 2), a permutation of 0..7 over any 8 consecutive rows. So the 8 rows
// an ldmatrix phase reads at one logical chunk fall in 8 different bank groups, each 8-thread phase of cp.async
// writes 8 distinct chunks of one row, and the TF32 fragment loads (rows k..k+3, 8 consecutive m) hit 32
// distinct banks: no bank conflicts (tools/kernel-emu counts them).
#pragma once
#include "conv_tc_warp.cuh"

template <typename E> struct TcElement;
template <> struct TcElement<float> {  // float32 storage, TF32 math
  static constexpr int kMmaK = 8;
  static __device__ __forceinline__ void mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) { mma_tf32(d, a, b); }
};
template <> struct TcElement<bf16> {
  static constexpr int kMmaK = 16;
  static __device__ __forceinline__ void mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) { mma_bf16(d, a, b); }
};

template <typename E, int BM_, int BN_, int WARPS_N_, int STAGES_>
struct TcConfig {
  typedef E Element;
  static constexpr int BM = BM_, BN = BN_, WARPS_N = WARPS_N_, STAGES = STAGES_;
  static constexpr int THREADS = 64 * WARPS_N, WM = BM / 2, WN = BN / WARPS_N, MT = WM / 16, NT = WN / 8;
  static constexpr int VEC = 16 / (int)sizeof(E);  // elements per 16-byte chunk
  static constexpr int BK = 128 / (int)sizeof(E);  // k per stage
  static constexpr int A_BYTES = BM * 128, B_BYTES = BN * 128, STAGE_BYTES = A_BYTES + B_BYTES;
  static constexpr int SMEM_BYTES = STAGES * STAGE_BYTES;
  static_assert(MT >= 1 && NT % 2 == 0, "warp tiles are whole 16 x 16 pairs of mma tiles");
  static_assert(BM * (int)sizeof(E) % 128 == 0 && BN * (int)sizeof(E) % 128 == 0, "MN-major rows are whole 128-byte lines");
};

// Byte offset of 16-byte chunk `chunk` of row `row` in a tile with `rowChunks` chunks per row.
__device__ __forceinline__ int tc_swizzle(int row, int chunk, int rowChunks) {
  return (row * rowChunks + (chunk ^ (((row & 3) << 1) | ((row >> 2) & 1)))) * 16;
}

// Byte offset of element `col` (of `bytes` bytes) of row `row` in a swizzled tile of `rowElements` per row.
__device__ __forceinline__ int tc_element(int row, int col, int rowElements, int bytes) {
  int perChunk = 16 / bytes;
  return tc_swizzle(row, col / perChunk, rowElements / perChunk) + (col % perChunk) * bytes;
}

// Fragments of one k-step `ks` (0..3) for warp (wm, wn): a[i] for the MT row tiles, b[j] for the NT column tiles.
template <class Cfg, bool KMajor>
struct TcFragments {
  unsigned a[Cfg::MT][4], b[Cfg::NT][2];

  __device__ __forceinline__ void load(const char* As, const char* Bs, int wm, int wn, int ks, int lane) {
    if constexpr (KMajor) {
#pragma unroll
      for (int i = 0; i < Cfg::MT; i++)  // matrices: rows 0-7 | 8-15 of the 16, k-chunk 2ks | 2ks+1
        ldmatrix_x4(a[i], As + tc_swizzle(wm * Cfg::WM + i * 16 + (lane & 15), 2 * ks + (lane >> 4), 8));
#pragma unroll
      for (int j = 0; j < Cfg::NT; j += 2) {  // matrices: (tile j, k lo), (j, k hi), (j+1, k lo), (j+1, k hi)
        unsigned r[4];
        ldmatrix_x4(r, Bs + tc_swizzle(wn * Cfg::WN + j * 8 + (lane & 7) + ((lane >> 4) << 3), 2 * ks + ((lane >> 3) & 1), 8));
        b[j][0] = r[0], b[j][1] = r[1], b[j + 1][0] = r[2], b[j + 1][1] = r[3];
      }
    } else if constexpr (sizeof(typename Cfg::Element) == 2) {
      constexpr int kk = 16;  // bfloat16: rows of k, ldmatrix.trans
#pragma unroll
      for (int i = 0; i < Cfg::MT; i++)  // matrices: (k 0-7, m 0-7), (k 0-7, m 8-15), (k 8-15, m 0-7), (k 8-15, m 8-15)
        ldmatrix_x4_trans(a[i], As + tc_swizzle(ks * kk + ((lane >> 4) << 3) + (lane & 7),
                                                (wm * Cfg::WM + i * 16) / 8 + ((lane >> 3) & 1), Cfg::BM / 8));
#pragma unroll
      for (int j = 0; j < Cfg::NT; j += 2) {  // matrices: (k lo, tile j), (k hi, j), (k lo, j+1), (k hi, j+1)
        unsigned r[4];
        ldmatrix_x4_trans(r, Bs + tc_swizzle(ks * kk + (((lane >> 3) & 1) << 3) + (lane & 7),
                                             (wn * Cfg::WN + j * 8) / 8 + (lane >> 4), Cfg::BN / 8));
        b[j][0] = r[0], b[j][1] = r[1], b[j + 1][0] = r[2], b[j + 1][1] = r[3];
      }
    } else {
      int g = lane >> 2, t = lane & 3, k = ks * 8 + t;  // TF32: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4)
#pragma unroll
      for (int i = 0; i < Cfg::MT; i++) {
        int m = wm * Cfg::WM + i * 16 + g;
        a[i][0] = lds_u32(As + tc_element(k, m, Cfg::BM, 4));
        a[i][1] = lds_u32(As + tc_element(k, m + 8, Cfg::BM, 4));
        a[i][2] = lds_u32(As + tc_element(k + 4, m, Cfg::BM, 4));
        a[i][3] = lds_u32(As + tc_element(k + 4, m + 8, Cfg::BM, 4));
      }
#pragma unroll
      for (int j = 0; j < Cfg::NT; j++) {  // b0 (k = t, n = g), b1 (k = t+4, n = g)
        int n = wn * Cfg::WN + j * 8 + g;
        b[j][0] = lds_u32(Bs + tc_element(k, n, Cfg::BN, 4));
        b[j][1] = lds_u32(Bs + tc_element(k + 4, n, Cfg::BN, 4));
      }
    }
  }
};

// The pipelined main loop over k-tiles [0, kTiles): ops.load(stage, kt) issues the cp.async copies of k-tile kt
// into a stage (A at its start, B after A_BYTES). Tile kt + STAGES - 1 is in flight while tile kt is multiplied.
template <class Cfg, bool KMajor, class Operands>
__device__ __forceinline__ void tc_mainloop(Operands& ops, int kTiles, float (&acc)[Cfg::MT][Cfg::NT][4]) {
  char* smem = dynamic_smem();
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, wm = warp / Cfg::WARPS_N, wn = warp % Cfg::WARPS_N;
#pragma unroll
  for (int i = 0; i < Cfg::MT; i++)
#pragma unroll
    for (int j = 0; j < Cfg::NT; j++)
#pragma unroll
      for (int e = 0; e < 4; e++) acc[i][j][e] = 0.f;

#pragma unroll
  for (int s = 0; s < Cfg::STAGES - 1; s++) {
    if (s < kTiles) ops.load(smem + s * Cfg::STAGE_BYTES, s);
    cp_async_commit();  // an empty group keeps the count of groups per iteration fixed
  }
  for (int kt = 0; kt < kTiles; kt++) {
    cp_async_wait<Cfg::STAGES - 2>();  // this thread's copies of tile kt have landed ...
    __syncthreads();                   // ... and everyone's; the stage of tile kt - 1 is free again
    int next = kt + Cfg::STAGES - 1;
    if (next < kTiles) ops.load(smem + (next % Cfg::STAGES) * Cfg::STAGE_BYTES, next);
    cp_async_commit();
    const char* As = smem + (kt % Cfg::STAGES) * Cfg::STAGE_BYTES;
    const char* Bs = As + Cfg::A_BYTES;
#pragma unroll
    for (int ks = 0; ks < 4; ks++) {
      TcFragments<Cfg, KMajor> f;
      f.load(As, Bs, wm, wn, ks, lane);
#pragma unroll
      for (int i = 0; i < Cfg::MT; i++)
#pragma unroll
        for (int j = 0; j < Cfg::NT; j++) TcElement<typename Cfg::Element>::mma(acc[i][j], f.a[i], f.b[j]);
    }
  }
  cp_async_wait<0>();
}

// Row and column (within the block tile) of accumulator element e of mma tile (i, j): c0, c1 at (g, 2t), (g, 2t+1);
// c2, c3 at (g + 8, 2t), (g + 8, 2t + 1).
template <class Cfg>
__device__ __forceinline__ int tc_acc_row(int i, int e) {
  int lane = threadIdx.x & 31, wm = (threadIdx.x >> 5) / Cfg::WARPS_N;
  return wm * Cfg::WM + i * 16 + (lane >> 2) + (e >> 1) * 8;
}
template <class Cfg>
__device__ __forceinline__ int tc_acc_col(int j, int e) {
  int lane = threadIdx.x & 31, wn = (threadIdx.x >> 5) % Cfg::WARPS_N;
  return wn * Cfg::WN + j * 8 + (lane & 3) * 2 + (e & 1);
}

// Block b's tile (tm, tn) of a tilesM x tilesN grid, in groups of 8 row tiles: consecutive blocks share column
// tiles within a group, so the operands a group reads stay in L2.
__device__ __forceinline__ void tc_tile_of_block(int b, int tilesM, int tilesN, int& tm, int& tn) {
  const int group = 8;
  int perGroup = group * tilesN, first = (b / perGroup) * group, size = min(group, tilesM - first);
  int r = b % perGroup;
  tm = first + r % size;
  tn = r / size;
}
