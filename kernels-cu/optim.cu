// Optimiser updates: Adam, fused (one read of p, g, m, v and one write of p, m, v per element).
// CPU reference: src/Engine/Backends/Cpu/CpuOptim.cs (torch.optim.Adam's operation order; the scalars are
// computed in double on the host, as PyTorch does). EMA uses axpby.
#include "common.cuh"

template <typename T>
__device__ void adam(T* p, const T* g, T* m, T* v, i64 n, T step_size, T beta1, T one_minus_beta1, T beta2,
                     T one_minus_beta2, T eps, T sqrt_bc2) {
  RG_FOR(i, n) {
    T gi = g[i];
    T mi = m[i] * beta1 + gi * one_minus_beta1;
    T vi = v[i] * beta2 + gi * gi * one_minus_beta2;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * (mi / (sqrt(vi) / sqrt_bc2 + eps));
  }
}

#define RG_OPTIM(T, S)                                                                                         \
  extern "C" __global__ void adam_##S(T* p, const T* g, T* m, T* v, i64 n, T step_size, T beta1, T one_minus_beta1, \
                                      T beta2, T one_minus_beta2, T eps, T sqrt_bc2) {                         \
    adam<T>(p, g, m, v, n, step_size, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, sqrt_bc2);         \
  }

RG_OPTIM(float, f32)
RG_OPTIM(double, f64)
