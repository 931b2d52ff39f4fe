// Host-emulated run of the cbn_relu_* kernels of kernels-cu/batchnorm.cu (see run.sh).
#include "cuda_emu.h"
#include "../../kernels-cu/batchnorm.cu"
#include <cstdio>
#include <random>

// The cbn_relu_* kernels against a double reference of relu(x̂·(1 + gain) + bias) and its gradients.
static int fails = 0;
template <typename T> void check(const char* what, const std::vector<T>& a, const std::vector<double>& e, double tol) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); i++) { diff = std::max(diff, std::fabs((double)a[i] - e[i])); scale = std::max(scale, std::fabs(e[i])); }
  double rel = scale == 0 ? diff : diff / scale;
  bool ok = rel <= tol;
  if (!ok) fails++;
  printf("  %-8s rel %.2e %s\n", what, rel, ok ? "ok" : "FAIL");
}

template <typename T> void run(int n, int c, int spatial, bool batch, unsigned grid) {
  printf("n%d c%d spatial%d %s %s grid %u\n", n, c, spatial, batch ? "batch" : "fixed", sizeof(T) == 4 ? "f32" : "f64", grid);
  std::mt19937 rng(n * 31 + c * 7 + spatial);
  std::uniform_real_distribution<double> u(-1, 1);
  long planes = (long)n * c, total = planes * spatial;
  std::vector<T> x(total), dy(total), gain(planes), bias(planes), mean(c), var(c);
  for (auto& v : x) v = (T)(u(rng) + 3);
  for (auto& v : dy) v = (T)u(rng);
  for (auto& v : gain) v = (T)(0.5 * u(rng));
  for (auto& v : bias) v = (T)(0.5 * u(rng));
  for (int ch = 0; ch < c; ch++) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) s += x[((long)i * c + ch) * spatial + k];
    double m = batch ? s / ((double)n * spatial) : 3 + 0.1 * u(rng);
    for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) ss += std::pow(x[((long)i * c + ch) * spatial + k] - m, 2);
    mean[ch] = (T)m;
    var[ch] = (T)(batch ? ss / ((double)n * spatial) : 0.3 + 0.2 * (u(rng) + 1));
  }
  double eps = 1e-5;
  // Reference in double from the T-valued statistics.
  std::vector<double> ye(total), dxe(total), dge(planes), dbe(planes);
  std::vector<double> sDxhat(c), sDxhatXhat(c);
  for (long p = 0; p < planes; p++) {
    int ch = p % c; double inv = 1 / std::sqrt((double)var[ch] + eps), g1 = 1 + (double)gain[p];
    for (int k = 0; k < spatial; k++) {
      long i = p * spatial + k; double xh = ((double)x[i] - mean[ch]) * inv, z = xh * g1 + bias[p];
      ye[i] = std::max(0.0, z);
      double dz = z > 0 ? (double)dy[i] : 0;
      dbe[p] += dz; dge[p] += dz * xh; sDxhat[ch] += g1 * dz; sDxhatXhat[ch] += g1 * dz * xh;
    }
  }
  double M = (double)n * spatial;
  for (long p = 0; p < planes; p++) {
    int ch = p % c; double inv = 1 / std::sqrt((double)var[ch] + eps), g1 = 1 + (double)gain[p];
    for (int k = 0; k < spatial; k++) {
      long i = p * spatial + k; double xh = ((double)x[i] - mean[ch]) * inv, z = xh * g1 + bias[p];
      double dz = z > 0 ? (double)dy[i] : 0;
      dxe[i] = batch ? inv * (g1 * dz - sDxhat[ch] / M - xh * sDxhatXhat[ch] / M) : inv * g1 * dz;
    }
  }
  std::vector<T> coef(2 * planes), y(total), dx(total), dgain(planes), dbias(planes), abq(3 * planes);
  std::vector<double> sums(2 * planes);
  if constexpr (sizeof(T) == 4) {
    launch(1 + planes / 256, 256, [&] { cbn_relu_scale_shift_f32(mean.data(), var.data(), gain.data(), bias.data(), eps, coef.data(), coef.data() + planes, n, c); });
    launch(grid, 256, [&] { cbn_relu_forward_f32(x.data(), coef.data(), coef.data() + planes, y.data(), total, c, spatial); });
    launch(planes, 256, [&] { cbn_relu_plane_sums_f32(x.data(), y.data(), dy.data(), mean.data(), var.data(), eps, dgain.data(), dbias.data(), sums.data(), sums.data() + planes, c, spatial); });
    launch(1 + c / 256, 256, [&] { cbn_relu_dx_coefficients_f32(var.data(), gain.data(), sums.data(), sums.data() + planes, eps, batch, abq.data(), abq.data() + planes, abq.data() + 2 * planes, n, c, spatial); });
    launch(grid, 256, [&] { cbn_relu_backward_f32(x.data(), y.data(), dy.data(), mean.data(), abq.data(), abq.data() + planes, abq.data() + 2 * planes, dx.data(), total, c, spatial); });
  } else {
    launch(1 + planes / 256, 256, [&] { cbn_relu_scale_shift_f64(mean.data(), var.data(), gain.data(), bias.data(), eps, coef.data(), coef.data() + planes, n, c); });
    launch(grid, 256, [&] { cbn_relu_forward_f64(x.data(), coef.data(), coef.data() + planes, y.data(), total, c, spatial); });
    launch(planes, 256, [&] { cbn_relu_plane_sums_f64(x.data(), y.data(), dy.data(), mean.data(), var.data(), eps, dgain.data(), dbias.data(), sums.data(), sums.data() + planes, c, spatial); });
    launch(1 + c / 256, 256, [&] { cbn_relu_dx_coefficients_f64(var.data(), gain.data(), sums.data(), sums.data() + planes, eps, batch, abq.data(), abq.data() + planes, abq.data() + 2 * planes, n, c, spatial); });
    launch(grid, 256, [&] { cbn_relu_backward_f64(x.data(), y.data(), dy.data(), mean.data(), abq.data(), abq.data() + planes, abq.data() + 2 * planes, dx.data(), total, c, spatial); });
  }
  double tol = sizeof(T) == 4 ? 2e-5 : 1e-12;
  check("y", y, ye, tol); check("dx", dx, dxe, tol); check("dgain", dgain, dge, tol); check("dbias", dbias, dbe, tol);
}

int main() {
  for (bool batch : {true, false}) {
    run<float>(4, 3, 25, batch, 2);
    run<double>(4, 3, 25, batch, 2);
    run<float>(7, 5, 1, batch, 1);      // rank 2
    run<double>(3, 4, 300, batch, 3);   // planes past the 256-thread block; a grid stride that wraps planes
    run<float>(32, 6, 16, batch, 5);    // BigGAN's 4x4 planes
    run<double>(2, 3, 33 * 17, batch, 7);
  }
  printf(fails ? "FAILURES: %d\n" : "all ok\n", fails);
  return fails != 0;
}
