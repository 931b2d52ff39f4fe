// Host emulation of the CUDA constructs conv_igemm.cu uses: one std::thread per CUDA thread, a barrier for
// __syncthreads, blocks run one after another (so block-static __shared__ memory is safe).
#pragma once
#include <barrier>
#include <thread>
#include <vector>
#include <functional>
#include <algorithm>
#include <cmath>
struct dim3e { unsigned x = 0, y = 0, z = 0; };
inline thread_local dim3e threadIdx;
inline dim3e blockIdx, blockDim, gridDim;
inline std::barrier<>* g_barrier;
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __forceinline__ inline
#define __noinline__
#define __launch_bounds__(x)
#define __restrict__
#define __align__(n) alignas(n)
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
using std::min; using std::max;
inline double rsqrt(double x) { return 1 / std::sqrt(x); }
// Warp shuffles, emulated block-wide: valid where every thread of the block shuffles together (block_sum).
template <typename T> T __shfl_xor_sync(unsigned, T v, int lane) {
  static T exchange[1024];
  exchange[threadIdx.x] = v;
  __syncthreads();
  T other = exchange[threadIdx.x ^ lane];
  __syncthreads();
  return other;
}
inline void launch(unsigned grid, unsigned block, std::function<void()> body) {
  gridDim.x = grid; blockDim.x = block;
  for (unsigned b = 0; b < grid; b++) {
    blockIdx.x = b;
    std::barrier<> bar(block);
    g_barrier = &bar;
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < block; t++) ts.emplace_back([&, t] { threadIdx.x = t; body(); });
    for (auto& th : ts) th.join();
  }
}
