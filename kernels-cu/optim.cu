// Optimiser updates: Adam, fused (one read of p, g, m, v and one write of p, m, v per element).
// CPU reference: src/Engine/Backends/Cpu/CpuOptim.cs (torch.optim.Adam's operation order; the scalars of a step are
// computed in double before the elementwise update, as PyTorch does in Python). EMA uses axpby.
// The step count t and the step's scalars live in device memory, so a replayed CUDA graph takes step after step.
#include "common.cuh"

typedef unsigned long long u64;

// One thread: t += 1 (a DeviceCounter), then scalars = {lr / (1 − β1^t), √(1 − β2^t)} in double. CUDA's pow is within
// 2 ulp and glibc's within 1, so for β not in {0, 1} the step size may differ from the CPU's in the last bit of a double.
extern "C" __global__ void adam_step_scalars_f64(u64* step, double* scalars, double lr, double beta1, double beta2) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  u64 t = *step + 1;
  *step = t;
  double td = (double)t;
  scalars[0] = lr / (1.0 - pow(beta1, td));
  scalars[1] = sqrt(1.0 - pow(beta2, td));
}

template <typename T>
__device__ void adam(T* p, const T* g, T* m, T* v, i64 n, const double* scalars, T beta1, T one_minus_beta1, T beta2,
                     T one_minus_beta2, T eps) {
  T step_size = (T)scalars[0], sqrt_bc2 = (T)scalars[1];
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
  extern "C" __global__ void adam_##S(T* p, const T* g, T* m, T* v, i64 n, const double* scalars, T beta1,    \
                                      T one_minus_beta1, T beta2, T one_minus_beta2, T eps) {                  \
    adam<T>(p, g, m, v, n, scalars, beta1, one_minus_beta1, beta2, one_minus_beta2, eps);                      \
  }

RG_OPTIM(float, f32)
RG_OPTIM(double, f64)
