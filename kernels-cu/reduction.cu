// ReduceSum: y = scale · sum of x over any set of axes (sum, mean, the backward of broadcasting).
// CPU reference: src/Engine/Backends/Cpu/CpuReduction.cs.
//
// The host (src/Kernels/Cuda/ReductionLayout.cs) merges x's dimensions and splits them into kept ones, which
// enumerate the outputs o in y's (contiguous) order, and reduced ones, which enumerate the summed index r;
// each side is padded to four dimensions (d0 implicit, d1..d3, strides s0..s3). Three ways to sum:
//   reduce_warp   one warp per output, lanes striding over r (short reductions: r counts up to ~1k);
//   reduce_block  one block per output, threads striding over r (long reductions);
//   reduce_cols   when x's innermost dimension is kept: lanes take 32 neighbouring outputs, so every warp
//                 reads 32 contiguous elements, and the block's 8 warps split r; a fixed-order sum across
//                 warps through shared memory combines them.
// A reduction with few outputs and a long r is split into `splits` chunks of `chunk` indices: pass one writes
// partial sums to y[o·splits + s] with scale 1, pass two sums each row of partials (reduce_warp, splits = 1).
// No atomics: every output is summed in a fixed order, so results are deterministic. float (and bf16, whose sums
// are float32 outputs: the engine's dtype rule for a BFloat16 sum) accumulates in float, like the CPU reference; the tree order keeps the error well under the 1e-4 parity tolerance.
#include "common.cuh"

// The dimensions d1..d3 and strides s0..s3 of one side (kept or reduced) of the index space.
struct Dims4 {
  int d1, d2, d3;
  i64 s0, s1, s2, s3;
};

__device__ __forceinline__ i64 offset_of(i64 i, const Dims4& d) { return offset4(i, d.d1, d.d2, d.d3, d.s0, d.s1, d.s2, d.s3); }

// Walks the flat indices r, r + step, r + 2·step, ... of a Dims4 space and keeps the element offset current
// with a mixed-radix addition (one carry per digit: each digit and each digit of step is below its radix),
// so the inner loop divides nothing. Digit 0 never wraps: callers bound the walk by a count.
struct Walk {
  unsigned d1, d2, d3;   // radices (unsigned: a digit plus a step digit plus a carry fits below 2^32)
  unsigned i1, i2, i3;   // current digits
  unsigned g1, g2, g3;   // digits of step
  i64 carry1, carry2, carry3;  // offset change when a digit wraps: one up the next digit, d down this one
  i64 step_offset;       // offset of step
  i64 offset;            // offset of the current index

  __device__ Walk(const Dims4& d, i64 start, i64 step)
      : d1(d.d1), d2(d.d2), d3(d.d3),
        carry1(d.s0 - (i64)d.d1 * d.s1), carry2(d.s1 - (i64)d.d2 * d.s2), carry3(d.s2 - (i64)d.d3 * d.s3) {
    g3 = (unsigned)(step % d3); step /= d3;
    g2 = (unsigned)(step % d2); step /= d2;
    g1 = (unsigned)(step % d1); step /= d1;
    step_offset = step * d.s0 + g1 * d.s1 + g2 * d.s2 + g3 * d.s3;
    i3 = (unsigned)(start % d3); start /= d3;
    i2 = (unsigned)(start % d2); start /= d2;
    i1 = (unsigned)(start % d1); start /= d1;
    offset = start * d.s0 + i1 * d.s1 + i2 * d.s2 + i3 * d.s3;
  }

  __device__ __forceinline__ void advance() {
    offset += step_offset;
    unsigned c = 0;
    i3 += g3;
    if (i3 >= d3) { i3 -= d3; offset += carry3; c = 1; }
    i2 += g2 + c;
    c = 0;
    if (i2 >= d2) { i2 -= d2; offset += carry2; c = 1; }
    i1 += g1 + c;
    if (i1 >= d1) { i1 -= d1; offset += carry1; }
  }
};

// Sum of xo[offset(r)] for r = begin + lane, begin + lane + step, ... below end.
template <typename T>
__device__ __forceinline__ Acc<T> strided_sum(const T* xo, const Dims4& red, i64 begin, i64 end, int lane, int step) {
  Acc<T> acc = 0;
  if (begin + lane >= end) return acc;
  Walk w(red, begin + lane, step);
  for (i64 r = begin + lane; r < end; r += step) {
    acc += widen(xo[w.offset]);
    w.advance();
  }
  return acc;
}

// One group (a warp, or the whole block) per work item (o, s); every thread of a group runs the same items, so
// the group-wide sum is reached uniformly.
template <typename T, bool WARP>
__device__ void reduce_rows(const T* x, Acc<T>* y, i64 outputs, Dims4 kept, i64 count, Dims4 red, int splits, i64 chunk, Acc<T> scale) {
  __shared__ Acc<T> shared[32];
  const int group = WARP ? 32 : (int)blockDim.x;
  const int lane = WARP ? (int)(threadIdx.x & 31) : (int)threadIdx.x;
  const int groups_per_block = WARP ? (int)(blockDim.x >> 5) : 1;
  const i64 first = (i64)blockIdx.x * groups_per_block + (WARP ? (threadIdx.x >> 5) : 0);
  const i64 stride = (i64)gridDim.x * groups_per_block;
  const i64 items = outputs * splits;
  for (i64 item = first; item < items; item += stride) {
    i64 o = item / splits, s = item - o * splits;
    i64 begin = s * chunk, end = min(count, begin + chunk);
    Acc<T> acc = strided_sum(x + offset_of(o, kept), red, begin, end, lane, group);
    acc = WARP ? warp_sum(acc) : block_sum(acc, shared);
    if (lane == 0) y[item] = acc * scale;
  }
}

// Work item (t, s): outputs 32·t .. 32·t + 31, reduced chunk s. Lane tx owns output 32·t + tx; warp ty sums the
// indices begin + ty, begin + ty + warps, ...; warp 0 then adds the other warps' sums in order.
template <typename T>
__device__ void reduce_cols(const T* x, Acc<T>* y, i64 outputs, Dims4 kept, i64 count, Dims4 red, int splits, i64 chunk, Acc<T> scale) {
  __shared__ Acc<T> part[32][33];  // [warp][lane], padded against bank conflicts
  const int tx = threadIdx.x & 31, ty = threadIdx.x >> 5, warps = blockDim.x >> 5;
  const i64 tiles = (outputs + 31) / 32, items = tiles * splits;
  for (i64 item = blockIdx.x; item < items; item += gridDim.x) {
    i64 t = item / splits, s = item - t * splits;
    i64 o = t * 32 + tx;
    i64 begin = s * chunk, end = min(count, begin + chunk);
    Acc<T> acc = o < outputs ? strided_sum(x + offset_of(o, kept), red, begin, end, ty, warps) : (Acc<T>)0;
    part[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && o < outputs) {
      for (int k = 1; k < warps; k++) acc += part[k][tx];
      y[o * splits + s] = acc * scale;
    }
    __syncthreads();  // part is reused by the next item
  }
}

#define RG_REDUCE_PARAMS(T)                                                                            \
  const T *x, Acc<T> *y, i64 outputs, int k1, int k2, int k3, i64 ks0, i64 ks1, i64 ks2, i64 ks3, i64 count, \
      int r1, int r2, int r3, i64 rs0, i64 rs1, i64 rs2, i64 rs3, int splits, i64 chunk, Acc<T> scale
#define RG_REDUCE_ARGS \
  x, y, outputs, Dims4{k1, k2, k3, ks0, ks1, ks2, ks3}, count, Dims4{r1, r2, r3, rs0, rs1, rs2, rs3}, splits, chunk, scale

#define RG_REDUCTION(T, S)                                                                                             \
  extern "C" __global__ void reduce_warp_##S(RG_REDUCE_PARAMS(T)) { reduce_rows<T, true>(RG_REDUCE_ARGS); }         \
  extern "C" __global__ void reduce_block_##S(RG_REDUCE_PARAMS(T)) { reduce_rows<T, false>(RG_REDUCE_ARGS); }       \
  extern "C" __global__ void reduce_cols_##S(RG_REDUCE_PARAMS(T)) { reduce_cols<T>(RG_REDUCE_ARGS); }

RG_REDUCTION(float, f32)
RG_REDUCTION(double, f64)
RG_REDUCTION(bf16, bf16)
