// Embedding: gather rows of weight (rows, dim) by Int32 index, and scatter-add the gradient back.
// CPU reference: src/Engine/Backends/Cpu/CpuEmbedding.cs.
//
// One thread per element of y (forward) or of dweight (backward), consecutive threads along a row: coalesced.
// Out-of-range indices, which the CPU backend rejects with an exception, cannot be reported from a kernel:
// forward writes zeros for them and backward skips them.
#include "common.cuh"

template <typename T>
__device__ void embedding_fwd(const T* weight, const int* indices, T* y, i64 count, int dim, int rows) {
  RG_FOR(i, count * dim) {
    i64 e = i / dim, k = i - e * dim;
    int r = indices[e];
    y[i] = (unsigned)r < (unsigned)rows ? weight[(i64)r * dim + k] : (T)0;
  }
}

// dweight += scatter of dy, one thread per element of dweight: it adds the dy of every index equal to its row, in
// index order, as the CPU backend does. No atomics, so the result is the same every run (and a replayed CUDA graph
// equals eager execution bit for bit); the scan over the indices is cheap, since count is one batch.
template <typename T>
__device__ void embedding_bwd(const T* dy, const int* indices, T* dweight, i64 count, int dim, int rows) {
  RG_FOR(j, (i64)rows * dim) {
    i64 r = j / dim, k = j - r * dim;
    T acc = dweight[j];
    for (i64 e = 0; e < count; e++) {
      if (indices[e] == r) acc += dy[e * dim + k];
    }
    dweight[j] = acc;
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
