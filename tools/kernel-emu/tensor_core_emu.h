// Host versions of kernels-cu/conv_tc_warp.cuh's instructions (the kernels compile against these when
// RAWGAN_KERNEL_EMU is defined), following the PTX ISA: cp.async 16-byte copies with zero-fill, committed in groups
// and landing either at the wait_group that needs them or at once (emu::eager_copies); ldmatrix .x4 (plain and .trans); 32-bit shared loads; mma.sync
// m16n8k8 TF32 and m16n8k16 bf16 with float32 accumulators, assembled from and scattered to the lanes' fragment
// registers ("Matrix Fragments for mma.m16n8k8 / m16n8k16"). Every shared access is checked for alignment and
// bounds, every global source against the registered buffers (emu::globals), every TF32 operand for unrounded low
// mantissa bits; each warp instruction's shared-memory bank conflicts are counted in emu::stats.
#pragma once
#define RAWGAN_KERNEL_EMU 1
#include "cuda_emu.h"
#include <deque>

namespace emu {
inline std::vector<char> smem;                           // the launch's dynamic shared memory
inline std::vector<std::pair<const char*, size_t>> globals;  // device buffers a cp.async may read

inline void check_shared(const void* p, size_t bytes, size_t align, const char* what) {
  auto at = (const char*)p - smem.data();
  if (at < 0 || (size_t)at + bytes > smem.size()) fail(what);
  if ((uintptr_t)p % align != 0) fail("misaligned shared-memory address");
}
inline bool in_global(const void* p, size_t bytes) {
  for (auto& [base, size] : globals)
    if ((const char*)p >= base && (const char*)p + bytes <= base + size) return true;
  return false;
}
inline size_t smem_offset(const void* p) { return (size_t)((const char*)p - smem.data()); }

struct Copy {
  void* dst; const void* src; int bytes;
  void land() const { std::memcpy(dst, src, (size_t)bytes); std::memset((char*)dst + bytes, 0, (size_t)(16 - bytes)); }
};
struct Pending { std::vector<Copy> open; std::deque<std::vector<Copy>> groups; };
inline Pending pending[1024];
// Lazy copies land at the wait that must see them (a read before it sees stale data); eager copies land at once
// (a stage overwritten before every warp has finished reading it shows).
inline bool eager_copies = false;

// Extra wavefronts of one phase of accesses: for each bank, the distinct words (or 16-byte groups) it serves, minus one.
inline long conflicts(const size_t* offsets, int n, size_t unit, int banks) {
  long worst = 0;
  for (int b = 0; b < banks; b++) {
    std::vector<size_t> seen;
    for (int i = 0; i < n; i++)
      if ((offsets[i] / unit) % banks == (size_t)b && std::find(seen.begin(), seen.end(), offsets[i] / unit) == seen.end()) seen.push_back(offsets[i] / unit);
    worst = std::max<long>(worst, (long)seen.size() - 1);
  }
  return worst;
}

// Fresh state for each block: shared memory poisoned with 0xFF (NaN as float32 and bfloat16), no copies in flight.
inline void reset_block() {
  std::fill(smem.begin(), smem.end(), (char)0xFF);
  for (auto& p : pending) p = Pending{};
}

inline size_t lane_addresses[1024];
inline unsigned lane_regs[1024][4];
inline float lane_acc[1024][4];
}  // namespace emu

inline char* dynamic_smem() { return emu::smem.data(); }

inline void cp_async_16(void* dst, const void* src, int bytes) {
  emu::check_shared(dst, 16, 16, "cp.async destination outside the dynamic shared memory");
  if ((uintptr_t)src % 16 != 0) emu::fail("cp.async source not 16-byte aligned");
  if (bytes < 0 || bytes > 16) emu::fail("cp.async byte count outside 0..16");
  if (!emu::in_global(src, bytes > 0 ? (size_t)bytes : 1)) emu::fail("cp.async source outside every device buffer (even a zero-fill needs a valid address)");
  if (emu::eager_copies) emu::Copy{dst, src, bytes}.land();
  else emu::pending[threadIdx.x].open.push_back({dst, src, bytes});
  emu::lane_addresses[threadIdx.x] = emu::smem_offset(dst);
  emu::warp_collective("cp.async", [](unsigned w) {  // 16-byte stores: 8 lanes per wavefront
    for (int phase = 0; phase < 4; phase++) emu::stats.cpasync += emu::conflicts(&emu::lane_addresses[w * 32 + phase * 8], 8, 16, 8);
  });
}

inline void cp_async_commit() {
  auto& p = emu::pending[threadIdx.x];
  p.groups.push_back(std::move(p.open));
  p.open.clear();
}

template <int N> inline void cp_async_wait() {
  auto& p = emu::pending[threadIdx.x];
  while (p.groups.size() > (size_t)N) {
    for (auto& c : p.groups.front()) c.land();
    p.groups.pop_front();
  }
}

// Lanes 8i..8i+7 give the rows of matrix i; register i of lane l: row l/4, elements 2(l%4), 2(l%4)+1 (transposed:
// elements (2(l%4), l/4) and (2(l%4)+1, l/4)), the lower index in the low half.
template <bool Trans> inline void ldmatrix_emulated(unsigned (&r)[4], const void* row) {
  emu::check_shared(row, 16, 16, "ldmatrix row outside the dynamic shared memory");
  emu::lane_addresses[threadIdx.x] = emu::smem_offset(row);
  emu::warp_collective(Trans ? "ldmatrix.trans" : "ldmatrix", [](unsigned w) {
    const size_t* rows = &emu::lane_addresses[w * 32];
    for (int m = 0; m < 4; m++) emu::stats.ldmatrix += emu::conflicts(rows + 8 * m, 8, 16, 8);
    for (unsigned l = 0; l < 32; l++)
      for (int m = 0; m < 4; m++) {
        const char* base = emu::smem.data();
        uint16_t lo, hi;
        if (Trans) {
          std::memcpy(&lo, base + rows[8 * m + 2 * (l % 4)] + 2 * (l / 4), 2);
          std::memcpy(&hi, base + rows[8 * m + 2 * (l % 4) + 1] + 2 * (l / 4), 2);
        } else {
          std::memcpy(&lo, base + rows[8 * m + l / 4] + 4 * (l % 4), 2);
          std::memcpy(&hi, base + rows[8 * m + l / 4] + 4 * (l % 4) + 2, 2);
        }
        emu::lane_regs[w * 32 + l][m] = lo | (unsigned)hi << 16;
      }
  });
  for (int m = 0; m < 4; m++) r[m] = emu::lane_regs[threadIdx.x][m];
}
inline void ldmatrix_x4(unsigned (&r)[4], const void* row) { ldmatrix_emulated<false>(r, row); }
inline void ldmatrix_x4_trans(unsigned (&r)[4], const void* row) { ldmatrix_emulated<true>(r, row); }

inline unsigned lds_u32(const void* p) {
  emu::check_shared(p, 4, 4, "32-bit shared load outside the dynamic shared memory");
  emu::lane_addresses[threadIdx.x] = emu::smem_offset(p);
  emu::warp_collective("lds.u32", [](unsigned w) {
    emu::stats.lds += emu::conflicts(&emu::lane_addresses[w * 32], 32, 4, 32);
    for (unsigned l = 0; l < 32; l++) std::memcpy(&emu::lane_regs[w * 32 + l][0], emu::smem.data() + emu::lane_addresses[w * 32 + l], 4);
  });
  return emu::lane_regs[threadIdx.x][0];
}

namespace emu {
inline unsigned lane_a[1024][4], lane_b[1024][2];
inline float bf16_value(unsigned bits) { return __uint_as_float(bits << 16); }

// D (16x8) = A (16 x K) · B (K x 8) + C, summed in float over k in order; A and B built by `element`.
template <int K, typename Fill> inline void mma_resolve(unsigned w, Fill fill) {
  float A[16][K], B[K][8], C[16][8];
  for (unsigned l = 0; l < 32; l++) {
    unsigned g = l / 4, t = l % 4, lane = w * 32 + l;
    fill(A, B, lane, g, t);
    C[g][2 * t] = lane_acc[lane][0], C[g][2 * t + 1] = lane_acc[lane][1];
    C[g + 8][2 * t] = lane_acc[lane][2], C[g + 8][2 * t + 1] = lane_acc[lane][3];
  }
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 8; j++) {
      float s = C[i][j];
      for (int k = 0; k < K; k++) s += A[i][k] * B[k][j];
      C[i][j] = s;
    }
  for (unsigned l = 0; l < 32; l++) {
    unsigned g = l / 4, t = l % 4, lane = w * 32 + l;
    lane_acc[lane][0] = C[g][2 * t], lane_acc[lane][1] = C[g][2 * t + 1];
    lane_acc[lane][2] = C[g + 8][2 * t], lane_acc[lane][3] = C[g + 8][2 * t + 1];
  }
}

inline float tf32_operand(unsigned bits) {
  if (bits == 0xFFFFFFFFu) fail("mma operand read from shared memory no copy has written yet (a missing cp.async wait or barrier)");
  if (bits & 0x1FFFu) fail("TF32 mma operand with nonzero low 13 mantissa bits (not rounded by the pack)");
  return __uint_as_float(bits);
}

template <typename Resolve> inline void mma_emulated(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2], const char* kind, Resolve) {
  for (int i = 0; i < 4; i++) lane_a[threadIdx.x][i] = a[i], lane_acc[threadIdx.x][i] = d[i];
  lane_b[threadIdx.x][0] = b[0], lane_b[threadIdx.x][1] = b[1];
  warp_collective(kind, [](unsigned w) { Resolve{}(w); });
  for (int i = 0; i < 4; i++) d[i] = lane_acc[threadIdx.x][i];
}

struct Tf32Mma {  // a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4); b0 (t, g), b1 (t+4, g)
  void operator()(unsigned w) const {
    mma_resolve<8>(w, [](float (&A)[16][8], float (&B)[8][8], unsigned lane, unsigned g, unsigned t) {
      A[g][t] = tf32_operand(lane_a[lane][0]), A[g + 8][t] = tf32_operand(lane_a[lane][1]);
      A[g][t + 4] = tf32_operand(lane_a[lane][2]), A[g + 8][t + 4] = tf32_operand(lane_a[lane][3]);
      B[t][g] = tf32_operand(lane_b[lane][0]), B[t + 4][g] = tf32_operand(lane_b[lane][1]);
    });
  }
};

struct Bf16Mma {  // a0 (g, 2t..2t+1), a1 (g+8, 2t..), a2 (g, 2t+8..), a3 (g+8, 2t+8..); b0 (2t..2t+1, g), b1 (2t+8.., g)
  void operator()(unsigned w) const {
    mma_resolve<16>(w, [](float (&A)[16][16], float (&B)[16][8], unsigned lane, unsigned g, unsigned t) {
      for (int h = 0; h < 2; h++) {
        A[g][2 * t + h] = bf16_value(lane_a[lane][0] >> 16 * h & 0xFFFF), A[g + 8][2 * t + h] = bf16_value(lane_a[lane][1] >> 16 * h & 0xFFFF);
        A[g][2 * t + 8 + h] = bf16_value(lane_a[lane][2] >> 16 * h & 0xFFFF), A[g + 8][2 * t + 8 + h] = bf16_value(lane_a[lane][3] >> 16 * h & 0xFFFF);
        B[2 * t + h][g] = bf16_value(lane_b[lane][0] >> 16 * h & 0xFFFF), B[2 * t + 8 + h][g] = bf16_value(lane_b[lane][1] >> 16 * h & 0xFFFF);
      }
    });
  }
};
}  // namespace emu

inline void mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) { emu::mma_emulated(d, a, b, "mma.m16n8k8.tf32", emu::Tf32Mma{}); }
inline void mma_bf16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) { emu::mma_emulated(d, a, b, "mma.m16n8k16.bf16", emu::Bf16Mma{}); }

// cvt.rna.tf32.f32: 10 mantissa bits, to nearest, ties away from zero; NaN and infinity unchanged.
inline float round_tf32(float v) {
  unsigned u = __float_as_uint(v);
  if ((u & 0x7F800000u) == 0x7F800000u) return v;
  return __uint_as_float((u + 0x1000u) & 0xFFFFE000u);
}
