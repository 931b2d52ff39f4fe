// Subspace iteration for the top singular values of many weights at once (the singular-value tracer), float64
// blocks, weights read as they are (float or double). CPU reference: src/Engine/Backends/Cpu/CpuSubspace*.cs and
// JacobiEigen.cs (same algorithms, same pseudo-random replacement columns). One launch covers the whole batch:
// `table` has one row of SV_TABLE i64 per matrix (pointer, shape, block, wanted, where its blocks start in the
// packed buffers, where its tasks start), `state` one row of SV_STATE doubles (σ, residual, settled, done,
// iterations). A matrix whose done entry is set is skipped by every kernel. Every loop and reduction below is
// uniform across a block (tasks are whole blocks), so __syncthreads and the shuffles are always reached by all.
//   subspace_product_T      y = W x      one warp per row, 8 rows a block, x staged in shared memory
//   subspace_product_t_T    y = Wᵀ x     32 columns a block (lane = column), 8 warps over the rows
//   subspace_orthonormalize classical Gram–Schmidt twice, column by column; one block per matrix
//   subspace_ritz           Gram zᵀz, Jacobi eigen (thread 0), σ, settled, u = qP, v = zP; one block per matrix
//   subspace_residual       max ‖yᵢ − σᵢuᵢ‖ / σ0, done; one block per matrix
#include "common.cuh"

#define SV_MAX_BLOCK 16
#define SV_STATE 20
#define SV_RESIDUAL 16
#define SV_SETTLED 17
#define SV_DONE 18
#define SV_ITERATIONS 19
#define SV_TABLE 9
#define SV_ROWS 8     // rows per subspace_product block (one per warp)
#define SV_CHUNK 128  // columns of x staged per step of subspace_product
#define SV_WARPS 8    // blockDim.x = 256 for every kernel here

// Fields of a table row.
#define T_W 0
#define T_ROWS 1
#define T_COLS 2
#define T_BLOCK 3
#define T_WANTED 4
#define T_ROW_OFFSET 5
#define T_COL_OFFSET 6
#define T_ROW_TASKS 7
#define T_COL_TASKS 8

// The matrix a task belongs to: the last row whose task start (field) is ≤ task. Starts strictly increase.
__device__ __forceinline__ int sv_matrix(const i64* table, int count, int field, i64 task) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) >> 1;
    if (table[(i64)mid * SV_TABLE + field] <= task) lo = mid; else hi = mid - 1;
  }
  return lo;
}

__device__ __forceinline__ bool sv_done(const double* state, int l) { return state[(i64)l * SV_STATE + SV_DONE] != 0.0; }

// Sums v[0..count) over the block; every thread gets the totals (fixed order: deterministic). shared ≥ 8·16.
__device__ __forceinline__ void sv_block_sums(double (&v)[SV_MAX_BLOCK], int count, double* shared) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int k = 0; k < SV_MAX_BLOCK; k++)
    if (k < count) v[k] = warp_sum(v[k]);
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) {
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++)
      if (k < count) shared[warp * SV_MAX_BLOCK + k] = v[k];
  }
  __syncthreads();
#pragma unroll
  for (int k = 0; k < SV_MAX_BLOCK; k++) {
    if (k < count) {
      double s = 0;
      for (int w = 0; w < SV_WARPS; w++) s += shared[w * SV_MAX_BLOCK + k];
      v[k] = s;
    }
  }
}

// SplitMix64 finaliser, and a uniform number in [−0.5, 0.5) from (seed, matrix shape, column, attempt, row):
// CpuBackend.PseudoRandom, bit for bit.
__device__ __forceinline__ uint64_t sv_mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__device__ __forceinline__ double sv_random(uint64_t seed, int rows, int cols, int column, int attempt, int row) {
  uint64_t h = sv_mix(seed ^ ((uint64_t)(unsigned)rows << 32 | (unsigned)cols));
  h = sv_mix(h ^ ((uint64_t)(unsigned)column << 32 | (unsigned)attempt));
  h = sv_mix(h ^ (uint64_t)(unsigned)row);
  return (double)(h >> 11) * (1.0 / 9007199254740992.0) - 0.5;
}

// y = W x for the rows of 8-row tasks; x (cols × b) is staged in shared memory SV_CHUNK rows at a time, transposed
// (column k of the chunk contiguous) so that the lanes, one per element of a W row, read it without bank conflicts.
template <typename TW>
__device__ void subspace_product(const i64* table, int count, i64 tasks, const double* x, double* y, const double* state) {
  __shared__ double xs[SV_MAX_BLOCK * SV_CHUNK];
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (i64 task = blockIdx.x; task < tasks; task += gridDim.x) {
    int l = sv_matrix(table, count, T_ROW_TASKS, task);
    const i64* t = table + (i64)l * SV_TABLE;
    if (sv_done(state, l)) continue;
    int rows = (int)t[T_ROWS], cols = (int)t[T_COLS], b = (int)t[T_BLOCK];
    const TW* w = (const TW*)t[T_W];
    const double* xl = x + t[T_COL_OFFSET];
    int row = (int)(task - t[T_ROW_TASKS]) * SV_ROWS + warp;
    double acc[SV_MAX_BLOCK];
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++) acc[k] = 0;
    for (int j0 = 0; j0 < cols; j0 += SV_CHUNK) {
      int n = min(SV_CHUNK, cols - j0);
      __syncthreads();  // the previous chunk is consumed
      for (int i = threadIdx.x; i < n * b; i += blockDim.x) xs[(i % b) * SV_CHUNK + i / b] = xl[(i64)j0 * b + i];
      __syncthreads();
      if (row < rows) {
        const TW* wr = w + (i64)row * cols + j0;
        for (int j = lane; j < n; j += 32) {
          double a = (double)wr[j];
#pragma unroll
          for (int k = 0; k < SV_MAX_BLOCK; k++)
            if (k < b) acc[k] += a * xs[k * SV_CHUNK + j];
        }
      }
    }
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++)
      if (k < b) acc[k] = warp_sum(acc[k]);
    if (row < rows && lane == 0) {
      double* yr = y + t[T_ROW_OFFSET] + (i64)row * b;
#pragma unroll
      for (int k = 0; k < SV_MAX_BLOCK; k++)
        if (k < b) yr[k] = acc[k];
    }
  }
}

// y = Wᵀ x for 32-column tasks: lane = column (coalesced W reads), warp w sums rows w, w + 8, ...; x's row is the
// same for the whole warp (a broadcast); warp 0 adds the 8 partial sums in a fixed order.
template <typename TW>
__device__ void subspace_product_t(const i64* table, int count, i64 tasks, const double* x, double* y, const double* state) {
  __shared__ double part[SV_WARPS * SV_MAX_BLOCK * 32];
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (i64 task = blockIdx.x; task < tasks; task += gridDim.x) {
    int l = sv_matrix(table, count, T_COL_TASKS, task);
    const i64* t = table + (i64)l * SV_TABLE;
    if (sv_done(state, l)) continue;
    int rows = (int)t[T_ROWS], cols = (int)t[T_COLS], b = (int)t[T_BLOCK];
    const TW* w = (const TW*)t[T_W];
    const double* xl = x + t[T_ROW_OFFSET];
    int col = (int)(task - t[T_COL_TASKS]) * 32 + lane;
    double acc[SV_MAX_BLOCK];
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++) acc[k] = 0;
    if (col < cols) {
      for (int r = warp; r < rows; r += SV_WARPS) {
        double a = (double)w[(i64)r * cols + col];
        const double* xr = xl + (i64)r * b;
#pragma unroll
        for (int k = 0; k < SV_MAX_BLOCK; k++)
          if (k < b) acc[k] += a * xr[k];
      }
    }
    __syncthreads();  // part may still be read for the previous task
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++)
      if (k < b) part[(warp * SV_MAX_BLOCK + k) * 32 + lane] = acc[k];
    __syncthreads();
    if (warp == 0 && col < cols) {
      double* yc = y + t[T_COL_OFFSET] + (i64)col * b;
      for (int k = 0; k < b; k++) {
        double s = 0;
        for (int p = 0; p < SV_WARPS; p++) s += part[(p * SV_MAX_BLOCK + k) * 32 + lane];
        yc[k] = s;
      }
    }
  }
}

// x_c −= Σ_{p<c} (x_p·x_c) x_p over the thread's rows, the dot products summed over the block first. Not inlined:
// its four call sites unrolled 16-fold made the orthonormalisation kernel large enough for ptxas to spill.
__device__ __noinline__ void sv_project_out(double* x, int n, int b, int c, double* shared) {
  double dots[SV_MAX_BLOCK];
#pragma unroll
  for (int p = 0; p < SV_MAX_BLOCK; p++) dots[p] = 0;
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    double xc = x[(i64)r * b + c];
#pragma unroll
    for (int p = 0; p < SV_MAX_BLOCK; p++)
      if (p < c) dots[p] += x[(i64)r * b + p] * xc;
  }
  sv_block_sums(dots, c, shared);
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    double s = 0;
#pragma unroll
    for (int p = 0; p < SV_MAX_BLOCK; p++)
      if (p < c) s += dots[p] * x[(i64)r * b + p];
    x[(i64)r * b + c] -= s;
  }
}

__device__ __forceinline__ double sv_column_norm2(const double* x, int n, int b, int c, double* shared) {
  double s = 0;
  for (int r = threadIdx.x; r < n; r += blockDim.x) s += x[(i64)r * b + c] * x[(i64)r * b + c];
  return block_sum(s, shared);
}

// Each thread owns rows threadIdx.x + k·blockDim.x of the block throughout, so only the reductions need barriers.
// Norms are compared squared and columns scaled by rsqrt, which keeps the double sqrt and division slow paths
// (calls that make ptxas spill) out of the column loop.
__device__ void subspace_orthonormalize(const i64* table, int count, double* x, const double* state, int columnSide, uint64_t seed) {
  __shared__ double shared[SV_WARPS * SV_MAX_BLOCK];
  for (int l = blockIdx.x; l < count; l += gridDim.x) {
    if (sv_done(state, l)) continue;
    const i64* t = table + (i64)l * SV_TABLE;
    int rows = (int)t[T_ROWS], cols = (int)t[T_COLS], b = (int)t[T_BLOCK];
    int n = columnSide ? cols : rows;
    double* xl = x + (columnSide ? t[T_COL_OFFSET] : t[T_ROW_OFFSET]);
    double norms[SV_MAX_BLOCK];
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++) norms[k] = 0;
    for (int r = threadIdx.x; r < n; r += blockDim.x) {
#pragma unroll
      for (int k = 0; k < SV_MAX_BLOCK; k++)
        if (k < b) norms[k] += xl[(i64)r * b + k] * xl[(i64)r * b + k];
    }
    sv_block_sums(norms, b, shared);
    double scale2 = 0;
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++)
      if (k < b) scale2 = max(scale2, norms[k]);
    for (int c = 0; c < b; c++) {
      double before2 = sv_column_norm2(xl, n, b, c, shared);
      sv_project_out(xl, n, b, c, shared);
      sv_project_out(xl, n, b, c, shared);
      double after2 = sv_column_norm2(xl, n, b, c, shared);
      for (int attempt = 0; attempt < 10 && (after2 <= 1e-24 * max(scale2, before2) || after2 == 0); attempt++) {
        for (int r = threadIdx.x; r < n; r += blockDim.x) xl[(i64)r * b + c] = sv_random(seed, rows, cols, c, attempt, r);
        scale2 = before2 = 1;
        sv_project_out(xl, n, b, c, shared);
        sv_project_out(xl, n, b, c, shared);
        after2 = sv_column_norm2(xl, n, b, c, shared);
      }
      double inverse = rsqrt(after2);
      for (int r = threadIdx.x; r < n; r += blockDim.x) xl[(i64)r * b + c] *= inverse;
    }
  }
}

// Cyclic Jacobi on the n×n symmetric a (destroyed), one thread: JacobiEigen.Decompose's sweeps, rotations and
// stable descending order; values in lambda, eigenvectors as the columns of p. Not inlined: the calls to the
// double sqrt and division slow paths in its loops made ptxas spill the caller's registers around them.
__device__ __noinline__ void sv_jacobi(double* a, double* vectors, double* lambda, double* p, int n) {
  for (int i = 0; i < n * n; i++) vectors[i] = (i / n == i % n) ? 1.0 : 0.0;
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0, total = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        double x = a[i * n + j] * a[i * n + j];
        total += x;
        if (i != j) off += x;
      }
    if (off <= 1e-32 * total || off == 0) break;
    for (int pp = 0; pp < n - 1; pp++)
      for (int q = pp + 1; q < n; q++) {
        double apq = a[pp * n + q];
        if (apq == 0) continue;
        double app = a[pp * n + pp], aqq = a[q * n + q];
        double tau = (aqq - app) / (2 * apq);
        double sign = tau > 0 ? 1.0 : tau < 0 ? -1.0 : 0.0;
        double tn = sign == 0 ? 1.0 : sign / (fabs(tau) + sqrt(1 + tau * tau));
        double c = 1 / sqrt(1 + tn * tn), s = tn * c;
        for (int k = 0; k < n; k++) {
          double mkp = a[k * n + pp], mkq = a[k * n + q];
          a[k * n + pp] = c * mkp - s * mkq;
          a[k * n + q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
          double mpk = a[pp * n + k], mqk = a[q * n + k];
          a[pp * n + k] = c * mpk - s * mqk;
          a[q * n + k] = s * mpk + c * mqk;
        }
        for (int k = 0; k < n; k++) {
          double vkp = vectors[k * n + pp], vkq = vectors[k * n + q];
          vectors[k * n + pp] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  unsigned taken = 0;  // selection of the largest remaining, first index on ties: a stable descending order
  for (int c = 0; c < n; c++) {
    int best = -1;
    for (int i = 0; i < n; i++)
      if (!(taken >> i & 1u) && (best < 0 || a[i * n + i] > a[best * n + best])) best = i;
    taken |= 1u << best;
    lambda[c] = a[best * n + best];
    for (int r = 0; r < n; r++) p[r * n + c] = vectors[r * n + best];
  }
}

// dst rows = src rows · P (b×b in shared), each thread its own rows.
__device__ __forceinline__ void sv_times(const double* src, double* dst, int n, int b, const double* p) {
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    double row[SV_MAX_BLOCK];
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++) row[k] = k < b ? src[(i64)r * b + k] : 0.0;
    for (int c = 0; c < b; c++) {
      double s = 0;
#pragma unroll
      for (int k = 0; k < SV_MAX_BLOCK; k++)
        if (k < b) s += row[k] * p[k * b + c];
      dst[(i64)r * b + c] = s;
    }
  }
}

// Gram zᵀz: thread t sums pair t % pairs over the rows ≡ t / pairs (mod groups); pairs (i ≤ j) ≤ 136 ≤ blockDim.
__device__ void subspace_ritz(const i64* table, int count, const double* q, const double* z, double* u, double* v,
                              double* state, int iteration, double settle) {
  __shared__ double gram[SV_MAX_BLOCK * SV_MAX_BLOCK], vectors[SV_MAX_BLOCK * SV_MAX_BLOCK];
  __shared__ double p[SV_MAX_BLOCK * SV_MAX_BLOCK], lambda[SV_MAX_BLOCK], partial[256];
  for (int l = blockIdx.x; l < count; l += gridDim.x) {
    if (sv_done(state, l)) continue;
    const i64* t = table + (i64)l * SV_TABLE;
    int m = (int)t[T_ROWS], n = (int)t[T_COLS], b = (int)t[T_BLOCK], wanted = (int)t[T_WANTED];
    const double* zl = z + t[T_COL_OFFSET];
    int pairs = b * (b + 1) / 2, groups = blockDim.x / pairs;
    if ((int)threadIdx.x < pairs * groups) {
      int pair = threadIdx.x % pairs, group = threadIdx.x / pairs, i = 0;
      while (pair >= b - i) pair -= b - i++;  // pair → (i, j = i + pair)
      int j = i + pair;
      double s = 0;
      for (int r = group; r < n; r += groups) s += zl[(i64)r * b + i] * zl[(i64)r * b + j];
      partial[threadIdx.x] = s;
    }
    __syncthreads();
    if ((int)threadIdx.x < pairs) {
      int pair = threadIdx.x, i = 0;
      while (pair >= b - i) pair -= b - i++;
      int j = i + pair;
      double s = 0;
      for (int g = 0; g < groups; g++) s += partial[g * pairs + threadIdx.x];
      gram[i * b + j] = gram[j * b + i] = s;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      sv_jacobi(gram, vectors, lambda, p, b);
      double* row = state + (i64)l * SV_STATE;
      double sigma0 = sqrt(max(lambda[0], 0.0));
      bool settled = iteration > 0;
      for (int i = 0; i < b; i++) {
        double sigma = sqrt(max(lambda[i], 0.0));
        if (i < wanted) settled = settled && fabs(sigma - row[i]) <= settle * sigma0;
        row[i] = sigma;
      }
      row[SV_SETTLED] = settled ? 1.0 : 0.0;
    }
    __syncthreads();
    sv_times(q + t[T_ROW_OFFSET], u + t[T_ROW_OFFSET], m, b, p);
    sv_times(zl, v + t[T_COL_OFFSET], n, b, p);
    __syncthreads();  // gram, p and partial are reused for the next matrix
  }
}

__device__ void subspace_residual(const i64* table, int count, const double* y, const double* u, double* state,
                                  int iteration, double tolerance) {
  __shared__ double shared[SV_WARPS * SV_MAX_BLOCK];
  for (int l = blockIdx.x; l < count; l += gridDim.x) {
    if (sv_done(state, l)) continue;
    const i64* t = table + (i64)l * SV_TABLE;
    int m = (int)t[T_ROWS], b = (int)t[T_BLOCK], wanted = (int)t[T_WANTED];
    const double* yl = y + t[T_ROW_OFFSET];
    const double* ul = u + t[T_ROW_OFFSET];
    double* row = state + (i64)l * SV_STATE;
    double sums[SV_MAX_BLOCK];
#pragma unroll
    for (int k = 0; k < SV_MAX_BLOCK; k++) sums[k] = 0;
    for (int r = threadIdx.x; r < m; r += blockDim.x) {
#pragma unroll
      for (int k = 0; k < SV_MAX_BLOCK; k++) {
        if (k < wanted) {
          double d = yl[(i64)r * b + k] - row[k] * ul[(i64)r * b + k];
          sums[k] += d * d;
        }
      }
    }
    sv_block_sums(sums, wanted, shared);
    if (threadIdx.x == 0) {
      double worst = 0;
#pragma unroll
      for (int k = 0; k < SV_MAX_BLOCK; k++)
        if (k < wanted) worst = max(worst, sqrt(sums[k]));
      double residual = row[0] > 0 ? worst / row[0] : worst;
      row[SV_RESIDUAL] = residual;
      row[SV_ITERATIONS] = iteration;
      row[SV_DONE] = residual <= tolerance || row[SV_SETTLED] != 0 ? 1.0 : 0.0;
    }
    __syncthreads();  // every thread has read the done entry of this matrix before the next one's
  }
}

#define RG_SUBSPACE_PRODUCT(TW, S)                                                                                  \
  extern "C" __global__ void __launch_bounds__(256) subspace_product_##S(const i64* table, int count, i64 tasks,    \
                                                                         const double* x, double* y,               \
                                                                         const double* state) {                    \
    subspace_product<TW>(table, count, tasks, x, y, state);                                                         \
  }                                                                                                                 \
  extern "C" __global__ void __launch_bounds__(256) subspace_product_t_##S(const i64* table, int count, i64 tasks,  \
                                                                           const double* x, double* y,             \
                                                                           const double* state) {                  \
    subspace_product_t<TW>(table, count, tasks, x, y, state);                                                       \
  }

RG_SUBSPACE_PRODUCT(float, f32)
RG_SUBSPACE_PRODUCT(double, f64)

extern "C" __global__ void __launch_bounds__(256) subspace_orthonormalize_f64(const i64* table, int count, double* x,
                                                                             const double* state, int columnSide,
                                                                             uint64_t seed) {
  subspace_orthonormalize(table, count, x, state, columnSide, seed);
}

extern "C" __global__ void __launch_bounds__(256) subspace_ritz_f64(const i64* table, int count, const double* q,
                                                                   const double* z, double* u, double* v,
                                                                   double* state, int iteration, double settle) {
  subspace_ritz(table, count, q, z, u, v, state, iteration, settle);
}

extern "C" __global__ void __launch_bounds__(256) subspace_residual_f64(const i64* table, int count, const double* y,
                                                                        const double* u, double* state,
                                                                        int iteration, double tolerance) {
  subspace_residual(table, count, y, u, state, iteration, tolerance);
}
