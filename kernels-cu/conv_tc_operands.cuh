// Where the tensor-core convolution's GEMM operands come from (conv_tc.cu), as 16-byte cp.async chunks. The host
// first packs activations to NHWC and weights to a k-contiguous order, channels padded with zeros to whole chunks
// (Cp, Kp: multiples of VEC = 4 float or 8 bfloat16), so every chunk is 16-byte aligned and lies in one tap:
//   forward          rows m = output positions (n, oh, ow), cols = output channels k, depth = (r, s, c) of x (N,H,W,Cp)
//                    and w (K, R, S, Cp)
//   backward-data    rows = input positions (n, ih, iw), cols = input channels c, depth = (r, s, k) of dy (N,OH,OW,Kp)
//                    and w (C, R, S, Kp): dy(n, oh, ow) contributes where oh·sh = ih + ph − r exactly
//   backward-weight  rows = output channels k, cols = (r, s, c), depth = positions (n, oh, ow) of dy (N,OH,OW,Kp)
//                    and x: both MN-major (channels contiguous along a row of the tile)
// Chunks outside the image, the matrix or the depth are zero-filled by cp.async (src-size 0, the tensor's base as a
// valid address). A thread's rows are fixed for the whole product, so their index arithmetic is done once; the
// depth advances by one k-tile per load() call (called for tiles 0, 1, 2, ... in order). Offsets within a packed
// tensor are 32-bit: the host keeps each below 2^31 elements.
#pragma once
#include "conv_tc_gemm.cuh"

// n / d and n mod d for 0 <= n < 2^31 by a multiply-high (Granlund and Montgomery), for a divisor fixed per kernel.
struct FastDivmod {
  unsigned d, m, s;
  __device__ explicit FastDivmod(int divisor) : d((unsigned)divisor), m(0), s(0) {
    while ((1ull << s) < d) s++;
    m = (unsigned)(((1ull << 32) * ((1ull << s) - d)) / d + 1);
  }
  __device__ __forceinline__ int div(int n) const { return (int)((__umulhi((unsigned)n, m) + (unsigned)n) >> s); }
  __device__ __forceinline__ int mod(int n, int q) const { return n - q * (int)d; }
};

struct TcShape {
  int N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw;
};

// The (r, s, channel) walk of one thread's depth chunks: `c` advances by a k-tile (BK channels) per step, wrapping
// into the next tap; r == R past the end of the depth.
struct TapWalk {
  int c, s, r;
  __device__ __forceinline__ void advance(int by, int channels, int S) {
    c += by;
    while (c >= channels) {
      c -= channels;
      if (++s == S) s = 0, r++;
    }
  }
};

// B of the forward and backward-data products: rows n0.. of the packed weights, `depth` contiguous values each. The
// thread's chunk of each 128-byte row is threadIdx % 8, its rows threadIdx / 8 + STEP·i, as for A.
template <class Cfg>
struct PackedWeightRows {
  typedef typename Cfg::Element E;
  static constexpr int STEP = Cfg::THREADS / 8, ROWS = Cfg::BN / STEP;
  const E* w;
  int rows, depth, n0, kNext;

  __device__ PackedWeightRows(const E* w_, int rows_, int depth_, int n0_)
      : w(w_), rows(rows_), depth(depth_), n0(n0_), kNext((threadIdx.x & 7) * Cfg::VEC) {}

  __device__ __forceinline__ void load(char* tile) {
#pragma unroll
    for (int i = 0; i < ROWS; i++) {
      int row = (threadIdx.x >> 3) + STEP * i, n = n0 + row;
      bool ok = n < rows && kNext < depth;
      cp_async_16(tile + tc_swizzle(row, threadIdx.x & 7, 8), ok ? w + (i64)n * depth + kNext : w, ok ? 16 : 0);
    }
    kNext += Cfg::BK;
  }
};

template <class Cfg>
struct ForwardOperands {
  typedef typename Cfg::Element E;
  static constexpr int STEP = Cfg::THREADS / 8, ROWS_A = Cfg::BM / STEP;  // 8 chunks a row
  const E* x;
  int H, W, Cp, R, S;
  int rowBase[ROWS_A], rowOrigin[ROWS_A];  // per A row: offset of its receptive field's (0, 0); (ih0, iw0) as int16s
  TapWalk tap;
  PackedWeightRows<Cfg> weights;

  __device__ ForwardOperands(const E* x_, const E* w, const TcShape& g, int m0, int n0)
      : x(x_), H(g.H), W(g.W), Cp((g.C + Cfg::VEC - 1) / Cfg::VEC * Cfg::VEC), R(g.R), S(g.S),
        weights(w, g.K, g.R * g.S * Cp, n0) {
    int plane = g.OH * g.OW, M = g.N * plane;
    FastDivmod byPlane(plane), byRow(g.OW);
#pragma unroll
    for (int i = 0; i < ROWS_A; i++) {
      int m = m0 + (threadIdx.x >> 3) + STEP * i;
      int img = byPlane.div(m), pix = byPlane.mod(m, img), oh = byRow.div(pix), ow = byRow.mod(pix, oh);
      int ih0 = oh * g.sh - g.ph, iw0 = ow * g.sw - g.pw;
      bool in = m < M;
      rowBase[i] = in ? ((img * H + ih0) * W + iw0) * Cp : 0;
      rowOrigin[i] = in ? (int)(((unsigned)ih0 << 16) | ((unsigned)iw0 & 0xffffu)) : (int)0x80000000u;  // ih0 = -32768: never inside
    }
    tap = {weights.kNext, 0, 0};
    tap.advance(0, Cp, S);
  }

  __device__ __forceinline__ void load(char* stage, int) {
    int offset = (tap.r * W + tap.s) * Cp + tap.c;
#pragma unroll
    for (int i = 0; i < ROWS_A; i++) {
      int ih = (rowOrigin[i] >> 16) + tap.r, iw = (int)(short)(rowOrigin[i] & 0xffff) + tap.s;
      bool ok = tap.r < R && (unsigned)ih < (unsigned)H && (unsigned)iw < (unsigned)W;
      cp_async_16(stage + tc_swizzle((threadIdx.x >> 3) + STEP * i, threadIdx.x & 7, 8), ok ? x + rowBase[i] + offset : x, ok ? 16 : 0);
    }
    weights.load(stage + Cfg::A_BYTES);
    tap.advance(Cfg::BK, Cp, S);
  }
};

template <class Cfg>
struct BackwardDataOperands {
  typedef typename Cfg::Element E;
  static constexpr int STEP = Cfg::THREADS / 8, ROWS_A = Cfg::BM / STEP;  // 8 chunks a row
  const E* dy;
  int OH, OW, Kp, R, S;
  bool unitStride;
  FastDivmod byStrideH, byStrideW;
  int rowImage[ROWS_A], rowOrigin[ROWS_A];  // per A row: n·OH; (ih + ph, iw + pw) as int16s
  TapWalk tap;
  PackedWeightRows<Cfg> weights;

  __device__ BackwardDataOperands(const E* dy_, const E* w, const TcShape& g, int m0, int n0)
      : dy(dy_), OH(g.OH), OW(g.OW), Kp((g.K + Cfg::VEC - 1) / Cfg::VEC * Cfg::VEC), R(g.R), S(g.S),
        unitStride(g.sh == 1 && g.sw == 1), byStrideH(g.sh), byStrideW(g.sw), weights(w, g.C, g.R * g.S * Kp, n0) {
    int plane = g.H * g.W, M = g.N * plane;
    FastDivmod byPlane(plane), byRow(g.W);
#pragma unroll
    for (int i = 0; i < ROWS_A; i++) {
      int m = m0 + (threadIdx.x >> 3) + STEP * i;
      int img = byPlane.div(m), pix = byPlane.mod(m, img), ih = byRow.div(pix), iw = byRow.mod(pix, ih);
      bool in = m < M;
      rowImage[i] = img * OH;
      rowOrigin[i] = in ? (int)(((unsigned)(ih + g.ph) << 16) | ((unsigned)(iw + g.pw) & 0xffffu)) : (int)0x80000000u;  // -32768: never inside
    }
    tap = {weights.kNext, 0, 0};
    tap.advance(0, Kp, S);
  }

  __device__ __forceinline__ void load(char* stage, int) {
#pragma unroll
    for (int i = 0; i < ROWS_A; i++) {
      int yy = (rowOrigin[i] >> 16) - tap.r, zz = (int)(short)(rowOrigin[i] & 0xffff) - tap.s, oh = yy, ow = zz;
      bool ok = tap.r < R && yy >= 0 && zz >= 0;
      if (!unitStride) {  // only taps that land on an output position exactly
        oh = byStrideH.div(max(yy, 0)), ow = byStrideW.div(max(zz, 0));
        ok = ok && byStrideH.mod(yy, oh) == 0 && byStrideW.mod(zz, ow) == 0;
      }
      ok = ok && oh < OH && ow < OW;
      const E* src = dy + ((rowImage[i] + oh) * OW + ow) * Kp + tap.c;
      cp_async_16(stage + tc_swizzle((threadIdx.x >> 3) + STEP * i, threadIdx.x & 7, 8), ok ? src : dy, ok ? 16 : 0);
    }
    weights.load(stage + Cfg::A_BYTES);
    tap.advance(Cfg::BK, Kp, S);
  }
};

// Backward-weight: A = dy as [position][Kp] and B = x's receptive fields as [position][(r, s, c)], both loaded a
// k-tile of positions at a time into tiles whose rows are positions (MN-major). Positions run over [pBegin, pEnd),
// the block's split of N·OH·OW.
template <class Cfg>
struct BackwardWeightOperands {
  typedef typename Cfg::Element E;
  static constexpr int CHUNKS_A = Cfg::BM / Cfg::VEC, STEP_A = Cfg::THREADS / CHUNKS_A, ROWS_A = Cfg::BK / STEP_A;
  static constexpr int CHUNKS_B = Cfg::BN / Cfg::VEC, STEP_B = Cfg::THREADS / CHUNKS_B, ROWS_B = Cfg::BK / STEP_B;
  static_assert(STEP_A * CHUNKS_A == Cfg::THREADS && ROWS_A * STEP_A == Cfg::BK, "A's chunks spread evenly over the threads");
  static_assert(STEP_B * CHUNKS_B == Cfg::THREADS && ROWS_B * STEP_B == Cfg::BK, "B's chunks spread evenly over the threads");
  const E* x;
  const E* dy;
  int H, W, Cp, Kp, OW, sh, sw, pBegin, pEnd;
  FastDivmod byPlane, byRow;
  int channelA;            // this thread's A chunk: first output channel
  bool columnValid;        // this thread's B chunk: (r, s, c) inside R·S·Cp
  int ihTap, iwTap, cTap;  // its r − ph, s − pw and c

  __device__ BackwardWeightOperands(const E* x_, const E* dy_, const TcShape& g, int m0, int n0, int pBegin_, int pEnd_)
      : x(x_), dy(dy_), H(g.H), W(g.W), Cp((g.C + Cfg::VEC - 1) / Cfg::VEC * Cfg::VEC), Kp((g.K + Cfg::VEC - 1) / Cfg::VEC * Cfg::VEC),
        OW(g.OW), sh(g.sh), sw(g.sw), pBegin(pBegin_), pEnd(pEnd_), byPlane(g.OH * g.OW), byRow(g.OW) {
    channelA = m0 + (threadIdx.x % CHUNKS_A) * Cfg::VEC;
    int col = n0 + (threadIdx.x % CHUNKS_B) * Cfg::VEC, rs = col / Cp, r = rs / g.S;
    columnValid = col < g.R * g.S * Cp;
    cTap = col - rs * Cp;
    ihTap = r - g.ph;
    iwTap = rs - r * g.S - g.pw;
  }

  __device__ __forceinline__ void load(char* stage, int kt) {
    int p0 = pBegin + kt * Cfg::BK;
#pragma unroll
    for (int i = 0; i < ROWS_A; i++) {
      int row = threadIdx.x / CHUNKS_A + STEP_A * i, p = p0 + row;
      bool ok = p < pEnd && channelA < Kp;
      cp_async_16(stage + tc_swizzle(row, threadIdx.x % CHUNKS_A, CHUNKS_A), ok ? dy + (i64)p * Kp + channelA : dy, ok ? 16 : 0);
    }
#pragma unroll
    for (int i = 0; i < ROWS_B; i++) {
      int row = threadIdx.x / CHUNKS_B + STEP_B * i, p = p0 + row;
      int img = byPlane.div(p), pix = byPlane.mod(p, img), oh = byRow.div(pix), ow = byRow.mod(pix, oh);
      int ih = oh * sh + ihTap, iw = ow * sw + iwTap;
      bool ok = columnValid && p < pEnd && (unsigned)ih < (unsigned)H && (unsigned)iw < (unsigned)W;
      cp_async_16(stage + Cfg::A_BYTES + tc_swizzle(row, threadIdx.x % CHUNKS_B, CHUNKS_B),
                  ok ? x + ((img * H + ih) * W + iw) * Cp + cTap : x, ok ? 16 : 0);
    }
  }
};
