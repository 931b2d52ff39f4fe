// Host emulation of the CUDA constructs RawGan's kernels use, for tools/kernel-emu (see run.sh). Each CUDA thread of a
// block is a fiber (ucontext) on one OS thread; a cooperative scheduler runs them in turn between synchronisation
// points: __syncthreads is a block barrier, and the warp-level instructions (shuffles, and conv_tc_warp.cuh's
// cp.async, ldmatrix, 32-bit fragment loads and mma.sync, replaced here under RAWGAN_KERNEL_EMU) are warp collectives
// that run once all 32 lanes arrive, with the fragment layouts of the PTX ISA. Warps run as far ahead of each other
// as the barriers allow. Blocks run one after another, so block-static __shared__ memory is safe. The scheduler reports a deadlock (a barrier some threads never reach) and a
// divergent collective; the instructions check alignment, bounds and TF32 operands, and count shared-memory bank
// conflicts (emu::stats). cp.async copies land only at the wait that must see them, so a read before that wait
// reads stale data.
#pragma once
#include <ucontext.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

struct dim3e { unsigned x = 0, y = 0, z = 0; };
inline dim3e threadIdx, blockIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __forceinline__ inline
#define __noinline__
#define __launch_bounds__(...)
#define __restrict__
#define __align__(n) alignas(n)
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };
struct alignas(16) double2 { double x, y; };
inline float2 make_float2(float x, float y) { return {x, y}; }
using std::min; using std::max; using std::sqrt;
inline double rsqrt(double x) { return 1 / std::sqrt(x); }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline float __fdividef(float a, float b) { return a / b; }

namespace emu {
[[noreturn]] inline void fail(const char* what) { std::fprintf(stderr, "kernel-emu: %s (block %u thread %u)\n", what, blockIdx.x, threadIdx.x); std::exit(3); }

enum class Wait { Running, Block, Warp, Done };
struct Fiber { ucontext_t context; std::unique_ptr<char[]> stack; Wait wait = Wait::Running; unsigned tid = 0; };
struct WarpCall { const char* kind = nullptr; void (*resolve)(unsigned warp) = nullptr; int arrived = 0; };

inline ucontext_t scheduler;
inline std::vector<Fiber>* fibers;
inline Fiber* current;
inline WarpCall warps[32];
inline const std::function<void()>* body;

inline void suspend(Wait why) { current->wait = why; swapcontext(&current->context, &scheduler); }
inline void fiber_main() { (*body)(); current->wait = Wait::Done; }  // returns to uc_link (the scheduler)

// Lane l of warp w waits for its 31 partners; the last to arrive has `resolve` run for the warp.
inline void warp_collective(const char* kind, void (*resolve)(unsigned warp)) {
  WarpCall& c = warps[threadIdx.x / 32];
  if (c.arrived == 0) c.kind = kind, c.resolve = resolve;
  else if (c.kind != kind) fail("divergent warp: lanes at different warp-level instructions");
  c.arrived++;
  suspend(Wait::Warp);
}

// Runs every thread of the current block to completion (or reports a deadlock).
inline void run_block(unsigned threads) {
  if (threads % 32 != 0 && threads > 32) fail("block size not a multiple of 32");
  std::vector<Fiber> fs(threads);
  fibers = &fs;
  for (unsigned t = 0; t < threads; t++) {
    Fiber& f = fs[t];
    f.tid = t;
    f.stack.reset(new char[1 << 18]);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack.get();
    f.context.uc_stack.ss_size = 1 << 18;
    f.context.uc_link = &scheduler;
    makecontext(&f.context, fiber_main, 0);
  }
  // Warps run as far apart as the block barriers allow: each warp in turn runs until all its lanes wait at
  // __syncthreads (or exit), the first warp rotating with the block index. A missing barrier then shows as a warp
  // reading shared memory that another warp has not written yet (poisoned, or the previous stage's data).
  unsigned count = (threads + 31) / 32;
  for (;;) {
    bool progressed = false;
    for (unsigned i = 0; i < count; i++) {
      unsigned w = (i + blockIdx.x) % count, lanes = std::min(32u, threads - w * 32);
      for (bool again = true; again;) {
        again = false;
        for (unsigned l = 0; l < lanes; l++) {
          Fiber& f = fs[w * 32 + l];
          if (f.wait != Wait::Running) continue;
          current = &f;
          threadIdx.x = f.tid;
          swapcontext(&scheduler, &f.context);
          progressed = true;
        }
        WarpCall& c = warps[w];
        unsigned waiting = 0;
        for (unsigned l = 0; l < lanes; l++) waiting += fs[w * 32 + l].wait == Wait::Warp;
        if (c.arrived > 0 && waiting == lanes) {
          threadIdx.x = w * 32;
          c.resolve(w);
          c.arrived = 0;
          for (unsigned l = 0; l < lanes; l++) fs[w * 32 + l].wait = Wait::Running;
          again = progressed = true;
        }
      }
    }
    unsigned atBlock = 0, live = 0;
    for (auto& f : fs) if (f.wait != Wait::Done) { live++; if (f.wait == Wait::Block) atBlock++; }
    if (live == 0) break;
    if (atBlock == live) {
      if (live != threads) fail("__syncthreads after some threads of the block exited");
      for (auto& f : fs) f.wait = Wait::Running;
      progressed = true;
    }
    if (!progressed) fail("deadlock: threads wait at barriers or warp instructions the others never reach");
  }
  fibers = nullptr;
}

// Shared-memory bank conflicts seen by the warp-level instructions: extra wavefronts, summed over calls.
struct Stats { long ldmatrix = 0, lds = 0, cpasync = 0, calls = 0; };
inline Stats stats;
}  // namespace emu

inline void __syncthreads() { emu::suspend(emu::Wait::Block); }

// Warp shuffles over all 32 lanes (the kernels call them with a full mask).
template <typename T> T __shfl_xor_sync(unsigned, T v, int laneMask) {
  static T in[1024], out[1024];
  static int masks[1024];
  in[threadIdx.x] = v;
  masks[threadIdx.x] = laneMask;
  emu::warp_collective("shfl_xor", [](unsigned w) {
    for (unsigned l = 0; l < 32; l++) out[w * 32 + l] = in[w * 32 + (l ^ masks[w * 32 + l])];
  });
  return out[threadIdx.x];
}

// Runs a kernel body for every block of a 1-D grid.
namespace emu { inline void (*block_start)() = nullptr; }  // per-block set-up of the instruction emulation
inline void launch(unsigned grid, unsigned block, std::function<void()> body) {
  gridDim.x = grid; blockDim.x = block;
  emu::body = &body;
  for (unsigned b = 0; b < grid; b++) {
    blockIdx.x = b;
    if (emu::block_start) emu::block_start();
    emu::run_block(block);
  }
}
