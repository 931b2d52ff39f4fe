// Host-emulated run of every kernel of kernels-cu/batchnorm.cu (see run.sh) against double references: statistics,
// batch norm forward and backward, the fused conditional BN + ReLU forward and backward; float, double and bf16
// (bf16 activations with float statistics and parameters: outputs within a bf16 rounding of the reference); shapes
// that take the 16-byte and the single-element paths, several segments per plane, 4x4 planes, spatial 1, a grid
// smaller than the work (so every loop strides), and a misaligned buffer.
#include "cuda_emu.h"
#include "../../kernels-cu/batchnorm.cu"
#include <cstdio>
#include <random>

static int fails = 0;
template <typename T> void check(const char* what, const T* a, const std::vector<double>& e, double tol) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < e.size(); i++) { diff = std::max(diff, std::fabs((double)widen(a[i]) - e[i])); scale = std::max(scale, std::fabs(e[i])); }
  double rel = scale == 0 ? diff : diff / scale;
  bool ok = rel <= tol;
  if (!ok) fails++;
  printf("  %-9s rel %.2e %s\n", what, rel, ok ? "ok" : "FAIL");
}

constexpr int SEG = 1024, BLOCK = 64;

template <typename T> struct Kernels;
template <> struct Kernels<float> {
  static constexpr auto stats = bn_stats_segments_f32; static constexpr auto combine = bn_stats_combine_f32;
  static constexpr auto fwd = bn_forward_f32; static constexpr auto bseg = bn_backward_segments_f32;
  static constexpr auto bcomb = bn_backward_combine_f32; static constexpr auto bapply = bn_backward_apply_f32;
  static constexpr auto cfwd = cbn_relu_forward_f32; static constexpr auto cseg = cbn_relu_backward_segments_f32;
  static constexpr auto ccomb = cbn_relu_backward_combine_f32; static constexpr auto capply = cbn_relu_backward_apply_f32;
};
template <> struct Kernels<double> {
  static constexpr auto stats = bn_stats_segments_f64; static constexpr auto combine = bn_stats_combine_f64;
  static constexpr auto fwd = bn_forward_f64; static constexpr auto bseg = bn_backward_segments_f64;
  static constexpr auto bcomb = bn_backward_combine_f64; static constexpr auto bapply = bn_backward_apply_f64;
  static constexpr auto cfwd = cbn_relu_forward_f64; static constexpr auto cseg = cbn_relu_backward_segments_f64;
  static constexpr auto ccomb = cbn_relu_backward_combine_f64; static constexpr auto capply = cbn_relu_backward_apply_f64;
};

// offset shifts every tensor by one element from its 16-byte-aligned allocation, forcing the single-element path.
template <> struct Kernels<bf16> {
  static constexpr auto stats = bn_stats_segments_bf16; static constexpr auto combine = bn_stats_combine_bf16;
  static constexpr auto fwd = bn_forward_bf16; static constexpr auto bseg = bn_backward_segments_bf16;
  static constexpr auto bcomb = bn_backward_combine_bf16; static constexpr auto bapply = bn_backward_apply_bf16;
  static constexpr auto cfwd = cbn_relu_forward_bf16; static constexpr auto cseg = cbn_relu_backward_segments_bf16;
  static constexpr auto ccomb = cbn_relu_backward_combine_bf16; static constexpr auto capply = cbn_relu_backward_apply_bf16;
};

template <typename T> const char* name_of() { return sizeof(T) == 8 ? "f64" : sizeof(T) == 4 ? "f32" : "bf16"; }

template <typename T> void run(int n, int c, int spatial, bool batch, unsigned grid, int offset) {
  using K = Kernels<T>;
  typedef Acc<T> A;  // statistics, parameters and their gradients
  auto val = [](T v) { return (double)widen(v); };
  printf("n%d c%d spatial%d %s %s grid %u%s\n", n, c, spatial, batch ? "batch" : "fixed", name_of<T>(), grid,
         offset ? " misaligned" : "");
  std::mt19937 rng(n * 31 + c * 7 + spatial);
  std::uniform_real_distribution<double> u(-1, 1);
  int planes = n * c, parts = (spatial + SEG - 1) / SEG;
  long total = (long)planes * spatial, segments = (long)planes * parts;
  struct alignas(16) Buf { std::vector<T> v; T* p; Buf(long len, int off) : v(len + 4) { p = v.data() + off; } };
  Buf x(total, offset), dy(total, offset), y(total, offset), dx(total, offset);
  std::vector<A> gain(planes), bias(planes), gamma(c), beta(c), mean(c), var(c), smean(c), svar(c), dgain(planes), dbias(planes), dgamma(c), dbeta(c);
  for (long i = 0; i < total; i++) { x.p[i] = narrow<T>((A)(u(rng) + 3)); dy.p[i] = narrow<T>((A)u(rng)); }
  for (auto& v : gain) v = (A)(0.5 * u(rng));
  for (auto& v : bias) v = (A)(0.5 * u(rng));
  for (auto& v : gamma) v = (A)(1 + 0.5 * u(rng));
  for (auto& v : beta) v = (A)(0.5 * u(rng));
  std::vector<double> me(c), ve(c);
  for (int ch = 0; ch < c; ch++) {
    double s = 0, ss = 0, cnt = (double)n * spatial;
    for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) s += val(x.p[((long)i * c + ch) * spatial + k]);
    me[ch] = s / cnt;
    for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) ss += std::pow(val(x.p[((long)i * c + ch) * spatial + k]) - me[ch], 2);
    ve[ch] = ss / cnt;
    mean[ch] = (A)(batch ? me[ch] : 3 + 0.1 * u(rng));
    var[ch] = (A)(batch ? ve[ch] : 0.3 + 0.2 * (u(rng) + 1));
  }
  // tol: statistics, parameter gradients and float/double outputs; tolOut: activations and their gradients, which in
  // bf16 are the float result rounded once (half a bf16 ulp: at most 2^-8 of the element, so of the largest).
  double eps = 1e-5, tol = sizeof(A) == 4 ? 5e-5 : 1e-11, tolOut = sizeof(T) == 2 ? 1.0 / 256 : tol, M = (double)n * spatial;
  std::vector<Acc<T>> sums(2 * segments), coef(3 * (long)std::max(planes, c));

  // Statistics.
  launch(grid, BLOCK, [&] { K::stats(x.p, sums.data(), sums.data() + segments, planes, spatial, SEG); });
  launch(grid, BLOCK, [&] { K::combine(sums.data(), sums.data() + segments, smean.data(), svar.data(), n, c, spatial, SEG); });
  check("mean", smean.data(), me, tol);
  check("variance", svar.data(), ve, tol);

  // Batch norm forward and backward, with the affine (gamma, beta and their gradients) and without.
  for (bool affine : {true, false}) {
    std::vector<double> ye(total), dxe(total), dge(c), dbe(c);
    for (int ch = 0; ch < c; ch++) {
      double inv = 1 / std::sqrt((double)var[ch] + eps), g = affine ? (double)gamma[ch] : 1, sd = 0, sdx = 0;
      for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) {
        long at = ((long)i * c + ch) * spatial + k;
        double xh = (val(x.p[at]) - mean[ch]) * inv;
        ye[at] = xh * g + (affine ? (double)beta[ch] : 0);
        sd += val(dy.p[at]); sdx += val(dy.p[at]) * xh;
      }
      dge[ch] = sdx; dbe[ch] = sd;
      for (int i = 0; i < n; i++) for (int k = 0; k < spatial; k++) {
        long at = ((long)i * c + ch) * spatial + k;
        double xh = (val(x.p[at]) - mean[ch]) * inv;
        dxe[at] = batch ? g * inv * (val(dy.p[at]) - sd / M - xh * sdx / M) : g * inv * val(dy.p[at]);
      }
    }
    const A* gp = affine ? gamma.data() : nullptr;
    launch(grid, BLOCK, [&] { K::fwd(x.p, mean.data(), var.data(), gp, affine ? beta.data() : nullptr, eps, y.p, planes, c, spatial); });
    launch(grid, BLOCK, [&] { K::bseg(x.p, dy.p, mean.data(), sums.data(), sums.data() + segments, planes, c, spatial, SEG); });
    Acc<T>* a = coef.data(); Acc<T>* b = a + c; Acc<T>* q = b + c;
    launch(1, BLOCK, [&] { K::bcomb(var.data(), gp, sums.data(), sums.data() + segments, eps, batch, affine ? dgamma.data() : nullptr,
                                    affine ? dbeta.data() : nullptr, a, b, q, n, c, spatial, SEG); });
    launch(grid, BLOCK, [&] { K::bapply(x.p, dy.p, mean.data(), a, b, q, dx.p, planes, c, spatial); });
    check(affine ? "bn y" : "bn y (1)", y.p, ye, tolOut);
    check(affine ? "bn dx" : "bn dx (1)", dx.p, dxe, tolOut);
    if (affine) { check("dgamma", dgamma.data(), dge, tol); check("dbeta", dbeta.data(), dbe, tol); }
  }

  // Conditional batch norm fused with ReLU.
  std::vector<double> ye(total), dxe(total), dge(planes), dbe(planes), sDxhat(c), sDxhatXhat(c);
  for (long p = 0; p < planes; p++) {
    int ch = p % c; double inv = 1 / std::sqrt((double)var[ch] + eps), g1 = 1 + (double)gain[p];
    for (int k = 0; k < spatial; k++) {
      long i = p * spatial + k; double xh = (val(x.p[i]) - mean[ch]) * inv, z = xh * g1 + bias[p];
      ye[i] = std::max(0.0, z);
      double dz = z > 0 ? val(dy.p[i]) : 0;
      dbe[p] += dz; dge[p] += dz * xh; sDxhat[ch] += g1 * dz; sDxhatXhat[ch] += g1 * dz * xh;
    }
  }
  for (long p = 0; p < planes; p++) {
    int ch = p % c; double inv = 1 / std::sqrt((double)var[ch] + eps), g1 = 1 + (double)gain[p];
    for (int k = 0; k < spatial; k++) {
      long i = p * spatial + k; double xh = (val(x.p[i]) - mean[ch]) * inv, z = xh * g1 + bias[p];
      double dz = z > 0 ? val(dy.p[i]) : 0;
      dxe[i] = batch ? inv * (g1 * dz - sDxhat[ch] / M - xh * sDxhatXhat[ch] / M) : inv * g1 * dz;
    }
  }
  Acc<T>* a = coef.data(); Acc<T>* b = a + planes; Acc<T>* q = b + planes;
  launch(grid, BLOCK, [&] { K::cfwd(x.p, mean.data(), var.data(), gain.data(), bias.data(), eps, y.p, planes, c, spatial); });
  launch(grid, BLOCK, [&] { K::cseg(x.p, y.p, dy.p, mean.data(), sums.data(), sums.data() + segments, planes, c, spatial, SEG); });
  launch(1, BLOCK, [&] { K::ccomb(var.data(), gain.data(), sums.data(), sums.data() + segments, eps, batch, dgain.data(), dbias.data(),
                                  a, b, q, n, c, spatial, SEG); });
  launch(grid, BLOCK, [&] { K::capply(x.p, y.p, dy.p, mean.data(), a, b, q, dx.p, planes, c, spatial); });
  check("cbn y", y.p, ye, tolOut); check("cbn dx", dx.p, dxe, tolOut); check("dgain", dgain.data(), dge, tol); check("dbias", dbias.data(), dbe, tol);
}

int main() {
  for (bool batch : {true, false}) {
    run<float>(4, 3, 25, batch, 2, 0);       // single elements (25 is no multiple of 4)
    run<double>(4, 3, 25, batch, 2, 0);
    run<float>(7, 5, 1, batch, 1, 0);        // rank 2: spatial 1, a lane per plane
    run<float>(32, 6, 16, batch, 5, 0);      // BigGAN's 4x4 planes: 16-byte packs, four lanes per plane
    run<double>(3, 4, 300, batch, 3, 0);
    run<float>(2, 3, 2304, batch, 3, 0);     // three segments per plane (1024, 1024, 256)
    run<double>(2, 3, 1030, batch, 2, 0);    // two segments of 1024 and 6, in double packs
    run<float>(3, 2, 64, batch, 2, 1);       // misaligned buffers: the single-element path on a packable shape
    run<bf16>(4, 3, 25, batch, 2, 0);        // bf16: single elements
    run<bf16>(32, 6, 16, batch, 5, 0);       // 4x4 planes: 16-byte packs of eight
    run<bf16>(2, 3, 2304, batch, 3, 0);      // three segments per plane
    run<bf16>(3, 2, 64, batch, 2, 1);        // misaligned
  }
  printf(fails ? "FAILURES: %d\n" : "all ok\n", fails);
  return fails != 0;
}
