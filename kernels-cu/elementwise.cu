// Elementwise kernels: fill, cast, strided copy (permute, narrow, cat, expand), broadcast binary ops,
// unary ops and their backward rules, affine and axpby. CPU reference: src/Engine/Backends/Cpu/CpuElementwise.cs.
//
// The strided copy and the binary ops are memory-bound and written to stream. Their index space (d0, d1, d2, d3) is
// split with FastDiv in 32 bits (below 2^31 elements: every shape BigGAN has; larger ones take a 64-bit loop). When
// the innermost dimension allows it (a multiple of the pack width, written contiguously, each operand read either
// contiguously or broadcast along it, outer strides and buffers 16-byte aligned) each thread moves 16-byte packs, four
// in flight. A copy that reads along a non-unit stride (a transpose) stays element by element and uncoalesced.
// Bytes moved: a copy reads and writes each element once (2·N·b for N elements of b bytes); a binary op reads each
// operand element it needs once (a broadcast factor of N·C elements is read once per pack, from L1) and writes y.
#include "common.cuh"

// Must match RawGan.Engine.BinaryOp and UnaryOp.
enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3 };
enum { UN_RELU = 0, UN_TANH = 1, UN_EXP = 2, UN_LOG = 3 };

template <typename T>
__device__ __forceinline__ T apply_binary(int op, T a, T b) {
  switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    default: return a / b;
  }
}

__device__ __forceinline__ float rg_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double rg_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float rg_exp(float x) { return expf(x); }
__device__ __forceinline__ double rg_exp(double x) { return exp(x); }
__device__ __forceinline__ float rg_log(float x) { return logf(x); }
__device__ __forceinline__ double rg_log(double x) { return log(x); }

template <typename T>
__device__ void fill(T* y, i64 n, T value) {
  RG_FOR(i, n) y[i] = value;
}

template <typename S, typename D>
__device__ void cast(const S* x, D* y, i64 n) {
  RG_FOR(i, n) y[i] = (D)x[i];
}

// An operand's strides over (d0, d1, d2, d3).
struct Strides4 {
  i64 s0, s1, s2, s3;
  __device__ i64 at(unsigned i0, unsigned i1, unsigned i2, unsigned i3) const { return i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3; }
  // Whether W-element packs along d3 can be read (or written) here: contiguous along d3, the outer strides keeping
  // every pack 16-byte aligned from an aligned base.
  __device__ bool packs(int W, const void* base) const { return s3 == 1 && s0 % W == 0 && s1 % W == 0 && s2 % W == 0 && aligned16(base); }
  // A broadcast along d3: one element serves a whole pack.
  __device__ bool broadcast() const { return s3 == 0; }
};

// Flat index u over (d0, d1, d2, d3 / W) split into its coordinates, d3's in elements.
struct Index4 {
  FastDiv by3, by2, by1;
  int w;
  __device__ Index4(int d1, int d2, int d3, int W) : by3((unsigned)(d3 / W)), by2((unsigned)d2), by1((unsigned)d1), w(W) {}
  __device__ void split(unsigned u, unsigned& i0, unsigned& i1, unsigned& i2, unsigned& i3) const {
    unsigned q = by3.div(u);
    i3 = (u - q * by3.d) * w;
    u = q;
    q = by2.div(u);
    i2 = u - q * by2.d;
    i0 = by1.div(q);
    i1 = q - i0 * by1.d;
  }
};

// W elements of an operand at `at`: a pack, or one element repeated when the operand is broadcast along d3.
template <typename T, int W>
__device__ __forceinline__ Elems<T, W> read_operand(const T* p, i64 at, bool broadcast) {
  if (W == 1 || !broadcast) return load_elems<T, W>(p + at);
  Elems<T, W> e;
  T v = p[at];
#pragma unroll
  for (int k = 0; k < W; k++) e.v[k] = v;
  return e;
}

template <typename T, int W>
__device__ void strided_copy_w(const T* __restrict__ src, T* __restrict__ dst, int d1, int d2, int d3, Strides4 s, Strides4 d, unsigned units) {
  const Index4 ix(d1, d2, d3, W);
  const bool broadcast = s.broadcast();
  Elems<T, W> e[4];
  i64 to[4];
  stream_units(
      units,
      [&](int j, i64 u) {
        unsigned i0, i1, i2, i3;
        ix.split((unsigned)u, i0, i1, i2, i3);
        e[j] = read_operand<T, W>(src, s.at(i0, i1, i2, i3), broadcast);
        to[j] = d.at(i0, i1, i2, i3);
      },
      [&](int j, i64) { store_elems<T, W>(dst + to[j], e[j]); });
}

template <typename T>
__device__ void strided_copy(const T* src, T* dst, int d0, int d1, int d2, int d3,
                             i64 ss0, i64 ss1, i64 ss2, i64 ss3, i64 ds0, i64 ds1, i64 ds2, i64 ds3) {
  i64 n = (i64)d0 * d1 * d2 * d3;
  if (n > 0x7fffffff) {
    RG_FOR(i, n) dst[offset4(i, d1, d2, d3, ds0, ds1, ds2, ds3)] = src[offset4(i, d1, d2, d3, ss0, ss1, ss2, ss3)];
    return;
  }
  constexpr int P = PackWidth<T>::value;
  Strides4 s{ss0, ss1, ss2, ss3}, d{ds0, ds1, ds2, ds3};
  if (d3 % P == 0 && d.packs(P, dst) && (s.broadcast() || s.packs(P, src)))
    strided_copy_w<T, P>(src, dst, d1, d2, d3, s, d, (unsigned)(n / P));
  else
    strided_copy_w<T, 1>(src, dst, d1, d2, d3, s, d, (unsigned)n);
}

// y = a op b, y contiguous over (d0..d3), a and b read through strides (0 where broadcast); y may be a itself.
template <typename T, int W>
__device__ void binary_w(int op, const T* a, const T* b, T* y, int d1, int d2, int d3, Strides4 sa, Strides4 sb, unsigned units) {
  typedef Acc<T> A;
  const Index4 ix(d1, d2, d3, W);
  const bool aBroadcast = sa.broadcast(), bBroadcast = sb.broadcast();
  Elems<T, W> ea[4], eb[4];
  stream_units(
      units,
      [&](int j, i64 u) {
        unsigned i0, i1, i2, i3;
        ix.split((unsigned)u, i0, i1, i2, i3);
        ea[j] = read_operand<T, W>(a, sa.at(i0, i1, i2, i3), aBroadcast);
        eb[j] = read_operand<T, W>(b, sb.at(i0, i1, i2, i3), bBroadcast);
      },
      [&](int j, i64 u) {
#pragma unroll
        for (int k = 0; k < W; k++) ea[j].v[k] = narrow<T>(apply_binary(op, (A)widen(ea[j].v[k]), (A)widen(eb[j].v[k])));
        store_elems<T, W>(y + u * W, ea[j]);
      });
}

template <typename T>
__device__ void binary(int op, const T* a, const T* b, T* y, int d0, int d1, int d2, int d3,
                       i64 as0, i64 as1, i64 as2, i64 as3, i64 bs0, i64 bs1, i64 bs2, i64 bs3) {
  i64 n = (i64)d0 * d1 * d2 * d3;
  if (n > 0x7fffffff) {
    RG_FOR(i, n) {
      y[i] = narrow<T>(apply_binary(op, (Acc<T>)widen(a[offset4(i, d1, d2, d3, as0, as1, as2, as3)]),
                                    (Acc<T>)widen(b[offset4(i, d1, d2, d3, bs0, bs1, bs2, bs3)])));
    }
    return;
  }
  constexpr int P = PackWidth<T>::value;
  Strides4 sa{as0, as1, as2, as3}, sb{bs0, bs1, bs2, bs3};
  if (d3 % P == 0 && aligned16(y) && (sa.broadcast() || sa.packs(P, a)) && (sb.broadcast() || sb.packs(P, b)))
    binary_w<T, P>(op, a, b, y, d1, d2, d3, sa, sb, (unsigned)(n / P));
  else
    binary_w<T, 1>(op, a, b, y, d1, d2, d3, sa, sb, (unsigned)n);
}

template <typename T>
__device__ void unary(int op, const T* x, T* y, i64 n) {
  typedef Acc<T> A;
  RG_FOR(i, n) {
    A v = widen(x[i]), r;
    switch (op) {
      case UN_RELU: r = v > (A)0 ? v : (A)0; break;
      case UN_TANH: r = rg_tanh(v); break;
      case UN_EXP: r = rg_exp(v); break;
      default: r = rg_log(v); break;
    }
    y[i] = narrow<T>(r);
  }
}

// relu and log read x; tanh and exp read y (as UnaryOp documents).
template <typename T>
__device__ void unary_bwd(int op, const T* arg, const T* dy, T* dx, i64 n) {
  typedef Acc<T> A;
  RG_FOR(i, n) {
    A v = widen(arg[i]), g = widen(dy[i]), r;
    switch (op) {
      case UN_RELU: r = v > (A)0 ? g : (A)0; break;
      case UN_TANH: r = g * ((A)1 - v * v); break;
      case UN_EXP: r = g * v; break;
      default: r = g / v; break;
    }
    dx[i] = narrow<T>(r);
  }
}

template <typename T>
__device__ void affine(const T* x, T* y, i64 n, Acc<T> scale, Acc<T> shift) {
  RG_FOR(i, n) y[i] = narrow<T>((Acc<T>)widen(x[i]) * scale + shift);
}

template <typename T>
__device__ void axpby(T a, const T* x, T b, T* y, i64 n) {
  RG_FOR(i, n) y[i] = a * x[i] + b * y[i];
}

#define RG_ELEMENTWISE(T, S)                                                                                   \
  extern "C" __global__ void fill_##S(T* y, i64 n, T value) { fill<T>(y, n, value); }                         \
  extern "C" __global__ void strided_copy_##S(const T* src, T* dst, int d0, int d1, int d2, int d3,           \
                                              i64 ss0, i64 ss1, i64 ss2, i64 ss3, i64 ds0, i64 ds1, i64 ds2, i64 ds3) { \
    strided_copy<T>(src, dst, d0, d1, d2, d3, ss0, ss1, ss2, ss3, ds0, ds1, ds2, ds3);                        \
  }

// Arithmetic in Acc<T> (float for bf16: load bf16, compute float, store bf16), the scalars in Acc<T>.
#define RG_ARITHMETIC(T, S)                                                                                    \
  extern "C" __global__ void binary_##S(int op, const T* a, const T* b, T* y, int d0, int d1, int d2, int d3, \
                                        i64 as0, i64 as1, i64 as2, i64 as3, i64 bs0, i64 bs1, i64 bs2, i64 bs3) { \
    binary<T>(op, a, b, y, d0, d1, d2, d3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);                           \
  }                                                                                                            \
  extern "C" __global__ void unary_##S(int op, const T* x, T* y, i64 n) { unary<T>(op, x, y, n); }           \
  extern "C" __global__ void unary_bwd_##S(int op, const T* arg, const T* dy, T* dx, i64 n) {                 \
    unary_bwd<T>(op, arg, dy, dx, n);                                                                          \
  }                                                                                                            \
  extern "C" __global__ void affine_##S(const T* x, T* y, i64 n, Acc<T> scale, Acc<T> shift) {               \
    affine<T>(x, y, n, scale, shift);                                                                          \
  }

#define RG_AXPBY(T, S) \
  extern "C" __global__ void axpby_##S(T a, const T* x, T b, T* y, i64 n) { axpby<T>(a, x, b, y, n); }

RG_ELEMENTWISE(float, f32)
RG_ELEMENTWISE(double, f64)
RG_ELEMENTWISE(int, i32)
extern "C" __global__ void strided_copy_bf16(const bf16* src, bf16* dst, int d0, int d1, int d2, int d3,
                                             i64 ss0, i64 ss1, i64 ss2, i64 ss3, i64 ds0, i64 ds1, i64 ds2, i64 ds3) {
  strided_copy<bf16>(src, dst, d0, d1, d2, d3, ss0, ss1, ss2, ss3, ds0, ds1, ds2, ds3);
}
// The value's 16 bits come in a 32-bit parameter (PTX launch parameters of 16 bits have no launcher type).
extern "C" __global__ void fill_bf16(bf16* y, i64 n, unsigned bits) { fill<bf16>(y, n, (bf16)bits); }
RG_ARITHMETIC(float, f32)
RG_ARITHMETIC(double, f64)
RG_ARITHMETIC(bf16, bf16)
RG_AXPBY(float, f32)
RG_AXPBY(double, f64)


#define RG_CAST(S, SN, D, DN) \
  extern "C" __global__ void cast_##SN##_##DN(const S* x, D* y, i64 n) { cast<S, D>(x, y, n); }
RG_CAST(float, f32, double, f64)
RG_CAST(double, f64, float, f32)
RG_CAST(int, i32, float, f32)
RG_CAST(int, i32, double, f64)
RG_CAST(float, f32, int, i32)
RG_CAST(double, f64, int, i32)

// To and from bfloat16: float64 rounds to float32 first (as the CPU and PyTorch do).
extern "C" __global__ void cast_f32_bf16(const float* x, bf16* y, i64 n) { RG_FOR(i, n) y[i] = f32_to_bf16(x[i]); }
extern "C" __global__ void cast_f64_bf16(const double* x, bf16* y, i64 n) { RG_FOR(i, n) y[i] = f32_to_bf16((float)x[i]); }
extern "C" __global__ void cast_bf16_f32(const bf16* x, float* y, i64 n) { RG_FOR(i, n) y[i] = bf16_to_f32(x[i]); }
extern "C" __global__ void cast_bf16_f64(const bf16* x, double* y, i64 n) { RG_FOR(i, n) y[i] = bf16_to_f32(x[i]); }
