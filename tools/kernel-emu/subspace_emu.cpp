// Host-emulated run of the subspace_* kernels of kernels-cu/subspace.cu (see run.sh): each kernel against a direct
// double reference or the property it must establish, then the whole iteration (as SubspaceSvd.Iterate drives it)
// against singular values from a one-sided Jacobi SVD.
#include "cuda_emu.h"
#include "../../kernels-cu/subspace.cu"
#include <cstdio>
#include <random>

static int fails = 0;
static void check(const char* what, double error, double tol) {
  bool ok = error <= tol;
  if (!ok) fails++;
  printf("  %-44s %.2e %s\n", what, error, ok ? "ok" : "FAIL");
}

struct Matrix { int rows, cols, block, wanted; std::vector<float> w; };

// Top singular values by one-sided Jacobi on the columns of a copy (rows ≥ cols after transposing).
static std::vector<double> singular_values(const Matrix& a) {
  int m = std::max(a.rows, a.cols), n = std::min(a.rows, a.cols);
  std::vector<double> u((size_t)m * n);
  for (int i = 0; i < a.rows; i++)
    for (int j = 0; j < a.cols; j++) {
      double v = a.w[(size_t)i * a.cols + j];
      if (a.rows >= a.cols) u[(size_t)i * n + j] = v; else u[(size_t)j * n + i] = v;
    }
  for (int sweep = 0; sweep < 60; sweep++) {
    double off = 0;
    for (int p = 0; p < n - 1; p++)
      for (int q = p + 1; q < n; q++) {
        double alpha = 0, beta = 0, gamma = 0;
        for (int i = 0; i < m; i++) {
          alpha += u[(size_t)i * n + p] * u[(size_t)i * n + p];
          beta += u[(size_t)i * n + q] * u[(size_t)i * n + q];
          gamma += u[(size_t)i * n + p] * u[(size_t)i * n + q];
        }
        if (gamma == 0) continue;
        off = std::max(off, std::fabs(gamma) / std::sqrt(alpha * beta));
        double zeta = (beta - alpha) / (2 * gamma);
        double t = (zeta >= 0 ? 1 : -1) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        double c = 1 / std::sqrt(1 + t * t), s = c * t;
        for (int i = 0; i < m; i++) {
          double x = u[(size_t)i * n + p], y = u[(size_t)i * n + q];
          u[(size_t)i * n + p] = c * x - s * y;
          u[(size_t)i * n + q] = s * x + c * y;
        }
      }
    if (off < 1e-15) break;
  }
  std::vector<double> s(n);
  for (int j = 0; j < n; j++) {
    double t = 0;
    for (int i = 0; i < m; i++) t += u[(size_t)i * n + j] * u[(size_t)i * n + j];
    s[j] = std::sqrt(t);
  }
  std::sort(s.rbegin(), s.rend());
  return s;
}

struct Batch {
  std::vector<Matrix> m;
  std::vector<i64> table;
  std::vector<long> rowOffset, colOffset;
  long rowLength = 0, colLength = 0;
  i64 rowTasks = 0, colTasks = 0;
  explicit Batch(std::vector<Matrix> ms) : m(std::move(ms)) {
    for (auto& a : m) {
      rowOffset.push_back(rowLength);
      colOffset.push_back(colLength);
      table.insert(table.end(), {(i64)a.w.data(), a.rows, a.cols, a.block, a.wanted, rowLength, colLength, rowTasks, colTasks});
      rowLength += (long)a.rows * a.block;
      colLength += (long)a.cols * a.block;
      rowTasks += (a.rows + SV_ROWS - 1) / SV_ROWS;
      colTasks += (a.cols + 31) / 32;
    }
  }
  int count() const { return (int)m.size(); }
};

int main() {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  auto matrix = [&](int rows, int cols, int block, double scale) {
    Matrix a{rows, cols, block, std::min(3, std::min(rows, cols)), std::vector<float>((size_t)rows * cols)};
    for (auto& v : a.w) v = (float)(scale * normal(rng));
    return a;
  };
  // Block 8, a whole small side (12 and 7), one row, a zero matrix, and a 40-row matrix with more than 32 columns.
  Batch b({matrix(20, 30, 8, 1), matrix(45, 12, 12, 0.5), matrix(7, 7, 7, 2), matrix(1, 50, 1, 1), matrix(6, 9, 6, 0),
           matrix(40, 70, 8, 1)});
  int n = b.count();
  std::vector<double> v(b.colLength), z(b.colLength), y(b.rowLength), u(b.rowLength), state((size_t)n * SV_STATE, 0.0);
  for (auto& x : v) x = normal(rng);
  const i64* table = b.table.data();

  printf("subspace kernels, %d matrices\n", n);
  // Products against direct loops (grids smaller than the task counts exercise the grid-stride loops).
  launch(3, 256, [&] { subspace_product_f32(table, n, b.rowTasks, v.data(), y.data(), state.data()); });
  launch(2, 256, [&] { subspace_product_t_f32(table, n, b.colTasks, y.data(), z.data(), state.data()); });
  double ey = 0, ez = 0;
  for (int l = 0; l < n; l++) {
    auto& a = b.m[l];
    for (int r = 0; r < a.rows; r++)
      for (int k = 0; k < a.block; k++) {
        double s = 0;
        for (int j = 0; j < a.cols; j++) s += a.w[(size_t)r * a.cols + j] * v[b.colOffset[l] + (size_t)j * a.block + k];
        ey = std::max(ey, std::fabs(s - y[b.rowOffset[l] + (size_t)r * a.block + k]));
      }
    for (int j = 0; j < a.cols; j++)
      for (int k = 0; k < a.block; k++) {
        double s = 0;
        for (int r = 0; r < a.rows; r++) s += a.w[(size_t)r * a.cols + j] * y[b.rowOffset[l] + (size_t)r * a.block + k];
        ez = std::max(ez, std::fabs(s - z[b.colOffset[l] + (size_t)j * a.block + k]));
      }
  }
  check("product y = W x (max abs error)", ey, 1e-10);
  check("product_t z = W^T y (max abs error)", ez, 1e-9);

  // Orthonormalisation: Q^T Q = I and Q^T X upper triangular (the span kept, column by column); the zero matrix's
  // all-zero block becomes an orthonormal random one.
  std::vector<double> x0 = y;
  launch(n, 256, [&] { subspace_orthonormalize_f64(table, n, y.data(), state.data(), 0, 11); });
  double eo = 0, et = 0;
  for (int l = 0; l < n; l++) {
    auto& a = b.m[l];
    const double* q = &y[b.rowOffset[l]];
    const double* x = &x0[b.rowOffset[l]];
    for (int i = 0; i < a.block; i++)
      for (int j = 0; j < a.block; j++) {
        double s = 0, t = 0;
        for (int r = 0; r < a.rows; r++) {
          s += q[(size_t)r * a.block + i] * q[(size_t)r * a.block + j];
          t += q[(size_t)r * a.block + i] * x[(size_t)r * a.block + j];
        }
        eo = std::max(eo, std::fabs(s - (i == j)));
        if (i > j && l != 4) et = std::max(et, std::fabs(t));
      }
  }
  check("orthonormalize: max |Q^T Q - I|", eo, 1e-13);
  check("orthonormalize: max |(Q^T X) below diagonal|", et, 1e-9);

  // Rayleigh-Ritz: z^T z P = P diag(sigma^2), u = q P, v = z P.
  launch(2, 256, [&] { subspace_product_t_f32(table, n, b.colTasks, y.data(), z.data(), state.data()); });
  std::vector<double> q0 = y, z0 = z;
  launch(n, 256, [&] { subspace_ritz_f64(table, n, y.data(), z.data(), u.data(), v.data(), state.data(), 0, 1e-9); });
  double ee = 0, eu = 0;
  for (int l = 0; l < n; l++) {
    auto& a = b.m[l];
    int bl = a.block;
    const double* row = &state[(size_t)l * SV_STATE];
    double scale = row[0] * row[0] + 1e-300;
    for (int c = 0; c < bl; c++) {
      // P's column c from u = q P: p_c = q^T u_c (q orthonormal).
      std::vector<double> p(bl), zp(a.cols, 0.0);
      for (int k = 0; k < bl; k++)
        for (int r = 0; r < a.rows; r++) p[k] += q0[b.rowOffset[l] + (size_t)r * bl + k] * u[b.rowOffset[l] + (size_t)r * bl + c];
      for (int j = 0; j < a.cols; j++) {
        for (int k = 0; k < bl; k++) zp[j] += z0[b.colOffset[l] + (size_t)j * bl + k] * p[k];
        eu = std::max(eu, std::fabs(zp[j] - v[b.colOffset[l] + (size_t)j * bl + c]));
      }
      for (int k = 0; k < bl; k++) {  // (z^T z p)_k = sigma^2 p_k
        double s = 0;
        for (int j = 0; j < a.cols; j++) s += z0[b.colOffset[l] + (size_t)j * bl + k] * zp[j];
        ee = std::max(ee, std::fabs(s - row[c] * row[c] * p[k]) / scale);
      }
      if (c > 0 && row[c] > row[c - 1]) ee = 1;  // descending
    }
  }
  check("ritz: max |z^T z p - sigma^2 p| / sigma0^2", ee, 1e-12);
  check("ritz: max |v - z p|", eu, 1e-11);

  // The whole iteration, as SubspaceSvd.Iterate: up to 60 iterations, the residual deciding done.
  std::fill(state.begin(), state.end(), 0.0);
  std::fill(v.begin(), v.end(), 0.0);
  launch(n, 256, [&] { subspace_orthonormalize_f64(table, n, v.data(), state.data(), 1, 0x5EED); });
  const double tolerance = 1e-10;
  for (int it = 0; it < 60; it++) {
    launch(4, 256, [&] { subspace_product_f32(table, n, b.rowTasks, v.data(), y.data(), state.data()); });
    if (it > 0) launch(n, 256, [&] { subspace_residual_f64(table, n, y.data(), u.data(), state.data(), it, tolerance); });
    launch(n, 256, [&] { subspace_orthonormalize_f64(table, n, y.data(), state.data(), 0, it); });
    launch(4, 256, [&] { subspace_product_t_f32(table, n, b.colTasks, y.data(), z.data(), state.data()); });
    launch(n, 256, [&] { subspace_ritz_f64(table, n, y.data(), z.data(), u.data(), v.data(), state.data(), it, 1e-3 * tolerance); });
    launch(n, 256, [&] { subspace_orthonormalize_f64(table, n, v.data(), state.data(), 1, 1000 + it); });
    bool all = true;
    for (int l = 0; l < n; l++) all = all && state[(size_t)l * SV_STATE + SV_DONE] != 0;
    if (all) break;
  }
  for (int l = 0; l < n; l++) {
    auto& a = b.m[l];
    auto s = singular_values(a);
    const double* row = &state[(size_t)l * SV_STATE];
    double err = 0;
    for (int i = 0; i < a.wanted; i++) err = std::max(err, std::fabs(row[i] - s[i]) / std::max(s[0], 1e-300));
    if (s[0] == 0) err = std::max(err, row[0]);
    char what[64];
    snprintf(what, sizeof what, "%dx%d: done %g after %g, sigma rel. error", a.rows, a.cols, row[SV_DONE], row[SV_ITERATIONS]);
    check(what, row[SV_DONE] == 1 ? err : 1.0, 1e-9);
  }
  printf(fails ? "%d FAILED\n" : "all passed\n", fails);
  return fails ? 1 : 0;
}
