// Host-emulated run of the kernels a replayed training step depends on (see run.sh): the Philox draws at a position
// held in device memory (kernels-cu/random.cu), Adam with its step count on the device (optim.cu) and the
// deterministic embedding backward (embedding.cu). Each is checked against a kernel or a reference the GPU run
// already verified: a counter draw must equal the offset draw at the counter's value, bit for bit.
#include "cuda_emu.h"
#include <cstdint>
#include <cstring>
// The CUDA intrinsics these files call, on the host: IEEE double operations (compile with -ffp-contract=off).
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
inline long long __double_as_longlong(double d) { long long v; std::memcpy(&v, &d, 8); return v; }
inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline float __double2float_rn(double d) { return (float)d; }
inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
inline int __double2int_rz(double d) { return (int)d; }
#include "../../kernels-cu/random.cu"
#include "../../kernels-cu/optim.cu"
#include "../../kernels-cu/embedding.cu"
#include <cstdio>
#include <random>

static int fails = 0;
static void report(const char* what, bool ok, const char* detail = "") {
  if (!ok) fails++;
  printf("  %-44s %s %s\n", what, ok ? "ok" : "FAIL", detail);
}

static void random_counter() {
  const long n = 1000;
  const unsigned long long seed = 0x1234567890ABCDEFull, offset = 0xFFFFFFFFull - 300;  // crosses the word boundary
  unsigned long long counter = offset;
  std::vector<float> a(n), b(n);
  launch(3, 128, [&] { random_normal_counter_f32(a.data(), n, seed, &counter, 0.5, 2.0); });
  launch(3, 128, [&] { random_normal_f32(b.data(), n, seed, offset, 0.5, 2.0); });
  report("random_normal_counter_f32 = random_normal_f32", std::memcmp(a.data(), b.data(), n * 4) == 0);
  launch(1, 32, [&] { counter_add_u64(&counter, n); });
  report("counter_add_u64", counter == offset + n);

  const int classes = 10;
  std::vector<int> labels(n);
  std::vector<double> u(n);
  launch(2, 64, [&] { random_uniform_int_counter_i32(labels.data(), n, seed, &counter, classes); });
  launch(2, 64, [&] { random_uniform_f64(u.data(), n, seed, offset + n); });
  bool same = true, inRange = true;
  for (long i = 0; i < n; i++) {
    same &= labels[i] == (int)(u[i] * classes);  // the host rule of the trainer before labels moved to the device
    inRange &= labels[i] >= 0 && labels[i] < classes;
  }
  report("random_uniform_int_counter_i32 = (int)(u*K)", same && inRange);
}

static void adam_on_device_step() {
  const long n = 777;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<float> p(n), g(n), m(n), v(n);
  for (long i = 0; i < n; i++) { p[i] = (float)d(rng); g[i] = (float)d(rng); m[i] = (float)(0.1 * d(rng)); v[i] = (float)std::fabs(0.1 * d(rng)); }
  auto pe = p, me = m, ve = v;
  unsigned long long step = 4;
  double scalars[2];
  const double lr = 2e-4, b1 = 0.5, b2 = 0.999, eps = 1e-6;
  launch(1, 32, [&] { adam_step_scalars_f64(&step, scalars, lr, b1, b2); });
  launch(2, 256, [&] { adam_f32(p.data(), g.data(), m.data(), v.data(), n, scalars, (float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)eps); });
  // The CPU backend's order: scalars in double from t = 5, elementwise in float.
  double bc1 = 1 - std::pow(b1, 5.0), bc2 = 1 - std::pow(b2, 5.0);
  float stepSize = (float)(lr / bc1), sqrtBc2 = (float)std::sqrt(bc2);
  bool same = step == 5;
  for (long i = 0; i < n; i++) {
    float mi = me[i] * (float)b1 + g[i] * (float)(1 - b1);
    float vi = ve[i] * (float)b2 + g[i] * g[i] * (float)(1 - b2);
    float pi = pe[i] - stepSize * (mi / (std::sqrt(vi) / sqrtBc2 + (float)eps));
    same &= mi == m[i] && vi == v[i] && pi == p[i];
  }
  report("adam_step_scalars_f64 + adam_f32 = CPU order", same);
}

static void embedding_backward() {
  const int count = 37, dim = 19, rows = 5;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<int> idx(count);
  for (auto& i : idx) i = (int)(rng() % (rows + 1));  // rows itself is out of range: skipped
  std::vector<float> dy((size_t)count * dim), dw((size_t)rows * dim);
  for (auto& x : dy) x = (float)d(rng);
  for (auto& x : dw) x = (float)d(rng);
  auto expected = dw;
  for (int e = 0; e < count; e++)
    if (idx[e] < rows)
      for (int k = 0; k < dim; k++) expected[(size_t)idx[e] * dim + k] += dy[(size_t)e * dim + k];
  launch(1, 32, [&] { embedding_bwd_f32(dy.data(), idx.data(), dw.data(), count, dim, rows); });
  report("embedding_bwd_f32 = sequential scatter-add", std::memcmp(dw.data(), expected.data(), dw.size() * 4) == 0);
}

int main() {
  random_counter();
  adam_on_device_step();
  embedding_backward();
  printf(fails ? "FAILED: %d check(s)\n" : "all checks passed\n", fails);
  return fails ? 1 : 0;
}
