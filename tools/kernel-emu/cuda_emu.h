// Host emulation of the CUDA constructs the kernels use: one std::thread per CUDA thread, a barrier for
// __syncthreads and one per warp for the shuffles, blocks run one after another (so block-static __shared__ memory is
// safe).
#pragma once
#include <barrier>
#include <thread>
#include <vector>
#include <memory>
#include <functional>
#include <algorithm>
#include <cmath>
#include <cstdint>
struct dim3e { unsigned x = 0, y = 0, z = 0; };
inline thread_local dim3e threadIdx;
inline dim3e blockIdx, blockDim, gridDim;
inline std::barrier<>* g_barrier;
inline std::vector<std::unique_ptr<std::barrier<>>> g_warp_barriers;
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __forceinline__ inline
#define __launch_bounds__(x)
#define __restrict__
#define __align__(n) alignas(n)
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
using std::min; using std::max; using std::sqrt;
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline float __fdividef(float a, float b) { return a / b; }
// Warp shuffles: every lane of the warp exchanges together (as __shfl_xor_sync with a full mask requires).
template <typename T> T __shfl_xor_sync(unsigned, T v, int lane) {
  static T exchange[1024];
  auto& warp = *g_warp_barriers[threadIdx.x / 32];
  exchange[threadIdx.x] = v;
  warp.arrive_and_wait();
  T other = exchange[threadIdx.x ^ lane];
  warp.arrive_and_wait();
  return other;
}
inline void launch(unsigned grid, unsigned block, std::function<void()> body) {
  gridDim.x = grid; blockDim.x = block;
  for (unsigned b = 0; b < grid; b++) {
    blockIdx.x = b;
    std::barrier<> bar(block);
    g_barrier = &bar;
    g_warp_barriers.clear();
    for (unsigned w = 0; w < (block + 31) / 32; w++) g_warp_barriers.push_back(std::make_unique<std::barrier<>>(std::min(32u, block - 32 * w)));
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < block; t++) ts.emplace_back([&, t] { threadIdx.x = t; body(); });
    for (auto& th : ts) th.join();
  }
}
