// Host-emulated run of the strided copy and binary kernels of kernels-cu/elementwise.cu (see run.sh) against plain
// loops: the layouts permute, narrow, cat, expand and broadcasting produce, in float, double, int and bf16 (binary ops
// computing in float and rounding once: the same bits as the loop's float result rounded), on the 16-byte
// and the single-element paths (a transpose, an odd inner size, a misaligned buffer), in place, and with a grid
// smaller than the work.
#include "cuda_emu.h"
#include "../../kernels-cu/elementwise.cu"
#include <cstdio>
#include <random>
#include <string>

static int fails = 0;
static void report(const std::string& what, bool ok) {
  if (!ok) fails++;
  printf("  %-44s %s\n", what.c_str(), ok ? "ok" : "FAIL");
}

struct Case {
  const char* name;
  int d[4];
  long long s[4], t[4];  // source (or a) strides, destination (or b) strides
};

template <typename T> T value(std::mt19937& rng) { return (T)(int)(rng() % 2001) - (T)1000; }
template <> bf16 value<bf16>(std::mt19937& rng) { return narrow<bf16>(value<float>(rng) / 8); }

template <typename T> const char* name_of() { return sizeof(T) == 8 ? " f64" : std::is_same_v<T, int> ? " i32" : sizeof(T) == 2 ? " bf16" : " f32"; }

template <typename T> void copy_case(const Case& k, unsigned grid, int offset) {
  long long n = (long long)k.d[0] * k.d[1] * k.d[2] * k.d[3], srcLen = 1, dstLen = 1;
  for (int i = 0; i < 4; i++) { srcLen += (k.d[i] - 1) * k.s[i]; dstLen += (k.d[i] - 1) * k.t[i]; }
  std::mt19937 rng((unsigned)n);
  std::vector<T> src(srcLen + 4), dst(dstLen + 4, (T)-7), want(dstLen + 4, (T)-7);
  for (auto& v : src) v = value<T>(rng);
  for (long long i = 0; i < n; i++) {
    long long r = i, o[4];
    for (int a = 3; a >= 0; a--) { o[a] = r % k.d[a]; r /= k.d[a]; }
    want[offset + o[0] * k.t[0] + o[1] * k.t[1] + o[2] * k.t[2] + o[3] * k.t[3]] = src[offset + o[0] * k.s[0] + o[1] * k.s[1] + o[2] * k.s[2] + o[3] * k.s[3]];
  }
  launch(grid, 64, [&] {
    if constexpr (sizeof(T) == 8) strided_copy_f64(src.data() + offset, dst.data() + offset, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
    else if constexpr (sizeof(T) == 2) strided_copy_bf16(src.data() + offset, dst.data() + offset, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
    else if constexpr (std::is_same_v<T, int>) strided_copy_i32(src.data() + offset, dst.data() + offset, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
    else strided_copy_f32(src.data() + offset, dst.data() + offset, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
  });
  report(std::string("copy ") + k.name + name_of<T>() + (offset ? " misaligned" : ""), dst == want);
}

// y (contiguous) = a op b with a and b read through the case's strides; in place when asked (a is y).
template <typename T> void binary_case(const Case& k, int op, unsigned grid, int offset, bool inPlace) {
  long long n = (long long)k.d[0] * k.d[1] * k.d[2] * k.d[3], aLen = 1, bLen = 1;
  for (int i = 0; i < 4; i++) { aLen += (k.d[i] - 1) * k.s[i]; bLen += (k.d[i] - 1) * k.t[i]; }
  std::mt19937 rng((unsigned)(n + op));
  std::vector<T> a(std::max(aLen, n) + 4), b(bLen + 4), y(n + 4, (T)-7), want(n + 4, (T)-7);
  for (auto& v : a) v = value<T>(rng);
  for (auto& v : b) { v = value<T>(rng); if (widen(v) == 0) v = narrow<T>(1); }
  for (long long i = 0; i < n; i++) {
    long long r = i, o[4];
    for (int d = 3; d >= 0; d--) { o[d] = r % k.d[d]; r /= k.d[d]; }
    Acc<T> x = widen(a[offset + o[0] * k.s[0] + o[1] * k.s[1] + o[2] * k.s[2] + o[3] * k.s[3]]), z = widen(b[offset + o[0] * k.t[0] + o[1] * k.t[1] + o[2] * k.t[2] + o[3] * k.t[3]]);
    want[offset + i] = narrow<T>(op == OP_ADD ? x + z : op == OP_SUB ? x - z : op == OP_MUL ? x * z : x / z);
  }
  T* out = inPlace ? a.data() + offset : y.data() + offset;
  launch(grid, 64, [&] {
    if constexpr (sizeof(T) == 2) binary_bf16(op, a.data() + offset, b.data() + offset, out, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
    else if constexpr (sizeof(T) == 8) binary_f64(op, a.data() + offset, b.data() + offset, out, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
    else binary_f32(op, a.data() + offset, b.data() + offset, out, k.d[0], k.d[1], k.d[2], k.d[3], k.s[0], k.s[1], k.s[2], k.s[3], k.t[0], k.t[1], k.t[2], k.t[3]);
  });
  bool ok = true;
  for (long long i = 0; i < n; i++) ok &= out[i] == want[offset + i];
  report(std::string("binary ") + k.name + " op" + std::to_string(op) + name_of<T>() + (offset ? " misaligned" : "") + (inPlace ? " in place" : ""), ok);
}

int main() {
  Case copies[] = {
      {"contiguous", {1, 1, 1, 1000}, {0, 0, 0, 1}, {0, 0, 0, 1}},
      {"cat into channels 3..5", {1, 2, 3, 32}, {0, 96, 32, 1}, {0, 192, 32, 1}},  // (2, 3, 4x8) into (2, 6, 4x8)
      {"narrow a row block", {1, 1, 5, 12}, {0, 0, 20, 1}, {0, 0, 12, 1}},
      {"expand (N,C,1,1)", {1, 1, 6, 40}, {0, 0, 1, 0}, {0, 0, 40, 1}},
      {"transpose (8,5)", {1, 1, 5, 8}, {0, 0, 1, 5}, {0, 0, 8, 1}},
      {"odd inner size", {1, 3, 4, 7}, {0, 28, 7, 1}, {0, 28, 7, 1}},
      {"permute (2,3,4,8) to (2,4,3,8)", {2, 4, 3, 8}, {96, 8, 32, 1}, {96, 24, 8, 1}},
  };
  for (auto& k : copies) {
    copy_case<float>(k, 3, 0);
    copy_case<double>(k, 2, 0);
    copy_case<int>(k, 1, 0);
    copy_case<float>(k, 2, 1);
    copy_case<bf16>(k, 2, 0);
  }
  Case binaries[] = {
      {"same shape", {1, 1, 1, 1000}, {0, 0, 0, 1}, {0, 0, 0, 1}},
      {"times (N,C,1,1)", {1, 1, 6, 32}, {0, 0, 32, 1}, {0, 0, 1, 0}},
      {"plus a row (1,F)", {1, 1, 5, 12}, {0, 0, 12, 1}, {0, 0, 0, 1}},
      {"row vector on the left", {1, 1, 5, 12}, {0, 0, 0, 1}, {0, 0, 12, 1}},
      {"(1,C,1,1) over (N,C,H,W)", {1, 2, 3, 16}, {0, 48, 16, 1}, {0, 0, 1, 0}},
      {"odd inner size", {1, 1, 4, 7}, {0, 0, 7, 1}, {0, 0, 1, 0}},
      {"transposed b", {1, 1, 5, 8}, {0, 0, 8, 1}, {0, 0, 1, 5}},
  };
  for (auto& k : binaries) {
    for (int op = 0; op < 4; op++) binary_case<float>(k, op, 3, 0, false);
    binary_case<double>(k, OP_MUL, 2, 0, false);
    binary_case<float>(k, OP_ADD, 2, 1, false);
    for (int op = 0; op < 4; op++) binary_case<bf16>(k, op, 3, 0, false);
    binary_case<bf16>(k, OP_MUL, 2, 1, false);
  }
  binary_case<bf16>(binaries[1], OP_ADD, 2, 0, true);
  binary_case<float>(binaries[1], OP_ADD, 2, 0, true);   // a convolution's bias, added in place
  binary_case<double>(binaries[0], OP_SUB, 1, 0, true);
  printf(fails ? "FAILURES: %d\n" : "all ok\n", fails);
  return fails != 0;
}
