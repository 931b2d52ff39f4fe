// Embedding: gather rows of weight (rows, dim) by Int32 index, and scatter-add the gradient back.
// CPU reference: src/Engine/Backends/Cpu/CpuEmbedding.cs.
//
// One thread per element of y / dy (consecutive threads along a row: coalesced). Out-of-range indices, which
// the CPU backend rejects with an exception, cannot be reported from a kernel: forward writes zeros for them
// and backward skips them.
#include "common.cuh"

template <typename T>
__device__ void embedding_fwd(const T* weight, const int* indices, T* y, i64 count, int dim, int rows) {
  RG_FOR(i, count * dim) {
    i64 e = i / dim, k = i - e * dim;
    int r = indices[e];
    y[i] = (unsigned)r < (unsigned)rows ? weight[(i64)r * dim + k] : (T)0;
  }
}

// dweight += scatter of dy. Repeated indices add up through atomicAdd (float and double, sm_60+), so their
// order of summation, and the last bits of such rows, may vary from run to run.
template <typename T>
__device__ void embedding_bwd(const T* dy, const int* indices, T* dweight, i64 count, int dim, int rows) {
  RG_FOR(i, count * dim) {
    i64 e = i / dim, k = i - e * dim;
    int r = indices[e];
    if ((unsigned)r < (unsigned)rows) atomicAdd(dweight + (i64)r * dim + k, dy[i]);
  }
}

#define RG_EMBEDDING(T, S)                                                                                         \
  extern "C" __global__ void embedding_fwd_##S(const T* weight, const int* indices, T* y, i64 count, int dim, int rows) { \
    embedding_fwd<T>(weight, indices, y, count, dim, rows);                                                      \
  }                                                                                                              \
  extern "C" __global__ void embedding_bwd_##S(const T* dy, const int* indices, T* dweight, i64 count, int dim, int rows) { \
    embedding_bwd<T>(dy, indices, dweight, count, dim, rows);                                                    \
  }

RG_EMBEDDING(float, f32)
RG_EMBEDDING(double, f64)
