// Elementwise kernels: fill, cast, strided copy (permute, narrow, cat, expand), broadcast binary ops,
// unary ops and their backward rules, affine and axpby. CPU reference: src/Engine/Backends/Cpu/CpuElementwise.cs.
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

template <typename T>
__device__ void strided_copy(const T* src, T* dst, int d0, int d1, int d2, int d3,
                             i64 ss0, i64 ss1, i64 ss2, i64 ss3, i64 ds0, i64 ds1, i64 ds2, i64 ds3) {
  i64 n = (i64)d0 * d1 * d2 * d3;
  RG_FOR(i, n) dst[offset4(i, d1, d2, d3, ds0, ds1, ds2, ds3)] = src[offset4(i, d1, d2, d3, ss0, ss1, ss2, ss3)];
}

// y is contiguous over (d0..d3); a and b are read through strides (0 where broadcast).
template <typename T>
__device__ void binary(int op, const T* a, const T* b, T* y, int d0, int d1, int d2, int d3,
                       i64 as0, i64 as1, i64 as2, i64 as3, i64 bs0, i64 bs1, i64 bs2, i64 bs3) {
  i64 n = (i64)d0 * d1 * d2 * d3;
  RG_FOR(i, n) {
    y[i] = apply_binary(op, a[offset4(i, d1, d2, d3, as0, as1, as2, as3)], b[offset4(i, d1, d2, d3, bs0, bs1, bs2, bs3)]);
  }
}

// Same-shape contiguous operands, 16-byte aligned, n a multiple of 4: one float4 per thread.
__device__ void binary_vec4(int op, const float4* a, const float4* b, float4* y, i64 n4) {
  RG_FOR(i, n4) {
    float4 p = a[i], q = b[i];
    y[i] = make_float4(apply_binary(op, p.x, q.x), apply_binary(op, p.y, q.y), apply_binary(op, p.z, q.z), apply_binary(op, p.w, q.w));
  }
}

template <typename T>
__device__ void unary(int op, const T* x, T* y, i64 n) {
  RG_FOR(i, n) {
    T v = x[i];
    switch (op) {
      case UN_RELU: y[i] = v > (T)0 ? v : (T)0; break;
      case UN_TANH: y[i] = rg_tanh(v); break;
      case UN_EXP: y[i] = rg_exp(v); break;
      default: y[i] = rg_log(v); break;
    }
  }
}

// relu and log read x; tanh and exp read y (as UnaryOp documents).
template <typename T>
__device__ void unary_bwd(int op, const T* arg, const T* dy, T* dx, i64 n) {
  RG_FOR(i, n) {
    T v = arg[i], g = dy[i];
    switch (op) {
      case UN_RELU: dx[i] = v > (T)0 ? g : (T)0; break;
      case UN_TANH: dx[i] = g * ((T)1 - v * v); break;
      case UN_EXP: dx[i] = g * v; break;
      default: dx[i] = g / v; break;
    }
  }
}

template <typename T>
__device__ void affine(const T* x, T* y, i64 n, T scale, T shift) {
  RG_FOR(i, n) y[i] = x[i] * scale + shift;
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

#define RG_FLOATING(T, S)                                                                                      \
  extern "C" __global__ void binary_##S(int op, const T* a, const T* b, T* y, int d0, int d1, int d2, int d3, \
                                        i64 as0, i64 as1, i64 as2, i64 as3, i64 bs0, i64 bs1, i64 bs2, i64 bs3) { \
    binary<T>(op, a, b, y, d0, d1, d2, d3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);                           \
  }                                                                                                            \
  extern "C" __global__ void unary_##S(int op, const T* x, T* y, i64 n) { unary<T>(op, x, y, n); }           \
  extern "C" __global__ void unary_bwd_##S(int op, const T* arg, const T* dy, T* dx, i64 n) {                 \
    unary_bwd<T>(op, arg, dy, dx, n);                                                                          \
  }                                                                                                            \
  extern "C" __global__ void affine_##S(const T* x, T* y, i64 n, T scale, T shift) { affine<T>(x, y, n, scale, shift); } \
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
RG_FLOATING(float, f32)
RG_FLOATING(double, f64)

extern "C" __global__ void binary_vec4_f32(int op, const float4* a, const float4* b, float4* y, i64 n4) { binary_vec4(op, a, b, y, n4); }

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
