// Host-emulated run of kernels-cu/conv_tc.cu (see run.sh): executes the launch plans of conv_tc_plans.txt, which are
// exactly what src/Kernels/Cuda/CudaConvTensorCorePlan.cs builds (a CPU test keeps the file current), and compares
// each output with a double-precision convolution of the same TF32-rounded (cvt.rna) or bfloat16 operands.
// Temporaries and outputs start as NaN (nothing may rely on zero-filled memory); guard bytes around every buffer
// catch stray writes; shared-memory bank conflicts must be zero. Each case runs twice: cp.async copies landing at
// the wait that needs them (catches reading a stage too early) and at once (catches overwriting a stage too early).
// Usage: conv_tc_emu PLANS [CASE-FILTER]
#include "tensor_core_emu.h"
#include "../../kernels-cu/conv_tc.cu"
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace {
constexpr size_t Guard = 256;

struct Buffer {
  std::vector<unsigned char> bytes;
  size_t length = 0, size = 4;
  unsigned char* data() { return bytes.data() + Guard; }
  Buffer() = default;
  Buffer(size_t n, size_t elementSize) : bytes(n * elementSize + 2 * Guard, 0xA5), length(n), size(elementSize) {
    std::fill(data(), data() + n * elementSize, 0xFF);  // NaN in float32 and bfloat16
  }
  bool guards_intact() const {
    for (size_t i = 0; i < Guard; i++)
      if (bytes[i] != 0xA5 || bytes[bytes.size() - 1 - i] != 0xA5) return false;
    return true;
  }
  double at(size_t i) {  // the element as a double
    if (size == 2) { uint16_t h; std::memcpy(&h, data() + 2 * i, 2); return emu::bf16_value(h); }
    float f; std::memcpy(&f, data() + 4 * i, 4); return f;
  }
};

struct Arg { unsigned char* pointer = nullptr; long long value = 0; };

template <typename P> P convert(const Arg& a) {
  if constexpr (std::is_pointer_v<P>) return reinterpret_cast<P>(a.pointer);
  else return (P)a.value;
}
template <typename... P, size_t... I> void call(void (*kernel)(P...), const std::vector<Arg>& args, std::index_sequence<I...>) {
  if (args.size() != sizeof...(P)) emu::fail("plan argument count differs from the kernel's parameters");
  kernel(convert<P>(args[I])...);
}
template <typename... P> std::function<void(const std::vector<Arg>&)> entry(void (*kernel)(P...)) {
  return [kernel](const std::vector<Arg>& args) { call(kernel, args, std::index_sequence_for<P...>{}); };
}

#define RG_TC_ENTRIES(Sx)                                                                                    \
  {"conv2d_tc_forward_128x128_" #Sx, entry(conv2d_tc_forward_128x128_##Sx)},                                 \
  {"conv2d_tc_forward_128x64_" #Sx, entry(conv2d_tc_forward_128x64_##Sx)},                                   \
  {"conv2d_tc_forward_64x64_" #Sx, entry(conv2d_tc_forward_64x64_##Sx)},                                     \
  {"conv2d_tc_backward_data_128x128_" #Sx, entry(conv2d_tc_backward_data_128x128_##Sx)},                     \
  {"conv2d_tc_backward_data_128x64_" #Sx, entry(conv2d_tc_backward_data_128x64_##Sx)},                       \
  {"conv2d_tc_backward_data_64x64_" #Sx, entry(conv2d_tc_backward_data_64x64_##Sx)},                         \
  {"conv2d_tc_backward_weight_128x128_" #Sx, entry(conv2d_tc_backward_weight_128x128_##Sx)},                 \
  {"conv2d_tc_backward_weight_128x64_" #Sx, entry(conv2d_tc_backward_weight_128x64_##Sx)},                   \
  {"conv2d_tc_backward_weight_64x64_" #Sx, entry(conv2d_tc_backward_weight_64x64_##Sx)},                     \
  {"conv2d_tc_pack_" #Sx, entry(conv2d_tc_pack_##Sx)},                                                       \
  {"conv2d_tc_weight_sum_splits_" #Sx, entry(conv2d_tc_weight_sum_splits_##Sx)}

const std::map<std::string, std::function<void(const std::vector<Arg>&)>> Kernels = {RG_TC_ENTRIES(f32), RG_TC_ENTRIES(bf16)};

struct Case {
  std::string pass, in, out, tile;
  int N, C, H, W, K, R, S, sh, sw, ph, pw, splits, OH, OW;
  std::string name() const {
    std::ostringstream s;
    s << pass << " " << in << "->" << out << " N" << N << " C" << C << " " << H << "x" << W << " K" << K << " " << R << "x" << S
      << " s" << sh << "," << sw << " p" << ph << "," << pw << " tile " << tile << " splits " << splits;
    return s.str();
  }
};

// The operand values as the kernels see them: TF32 (cvt.rna) or bfloat16.
Buffer random_operand(size_t n, bool bf16, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1, 1);
  Buffer b(n, bf16 ? 2 : 4);
  for (size_t i = 0; i < n; i++) {
    float v = u(rng);
    if (bf16) { uint16_t h = f32_to_bf16(v); std::memcpy(b.data() + 2 * i, &h, 2); }
    else std::memcpy(b.data() + 4 * i, &v, 4);
  }
  return b;
}
double operand(Buffer& b, size_t i, bool bf16) { return bf16 ? b.at(i) : (double)round_tf32((float)b.at(i)); }

// The pass's exact result in double from the rounded operands.
std::vector<double> reference(const Case& c, std::map<std::string, Buffer>& buf) {
  bool bf = c.in == "bf16";
  std::vector<double> r(c.pass == "Forward" ? (size_t)c.N * c.K * c.OH * c.OW : c.pass == "BackwardData" ? (size_t)c.N * c.C * c.H * c.W : (size_t)c.K * c.C * c.R * c.S);
  for (int n = 0; n < c.N; n++) for (int k = 0; k < c.K; k++) for (int oh = 0; oh < c.OH; oh++) for (int ow = 0; ow < c.OW; ow++)
  for (int ch = 0; ch < c.C; ch++) for (int rr = 0; rr < c.R; rr++) for (int ss = 0; ss < c.S; ss++) {
    int ih = oh * c.sh - c.ph + rr, iw = ow * c.sw - c.pw + ss;
    if (ih < 0 || iw < 0 || ih >= c.H || iw >= c.W) continue;
    size_t xi = (((size_t)n * c.C + ch) * c.H + ih) * c.W + iw, wi = (((size_t)k * c.C + ch) * c.R + rr) * c.S + ss;
    size_t yi = (((size_t)n * c.K + k) * c.OH + oh) * c.OW + ow;
    if (c.pass == "Forward") r[yi] += operand(buf["x"], xi, bf) * operand(buf["w"], wi, bf);
    else if (c.pass == "BackwardData") r[xi] += operand(buf["dy"], yi, bf) * operand(buf["w"], wi, bf);
    else r[wi] += operand(buf["dy"], yi, bf) * operand(buf["x"], xi, bf);
  }
  return r;
}

int failures = 0;

void run(const Case& c, const std::vector<std::pair<std::string, Buffer>>& temporaries, const std::vector<std::string>& launches, bool eager) {
  emu::eager_copies = eager;
  auto t0 = std::chrono::steady_clock::now();
  bool bf = c.in == "bf16";
  std::mt19937 rng(c.N * 131 + c.C * 17 + c.K * 7 + c.H);
  std::map<std::string, Buffer> buf;
  buf["x"] = random_operand((size_t)c.N * c.C * c.H * c.W, bf, rng);
  buf["w"] = random_operand((size_t)c.K * c.C * c.R * c.S, bf, rng);
  buf["dy"] = random_operand((size_t)c.N * c.K * c.OH * c.OW, bf, rng);
  std::string output = c.pass == "Forward" ? "y" : c.pass == "BackwardData" ? "dx" : "dw";
  size_t outLength = output == "y" ? (size_t)c.N * c.K * c.OH * c.OW : output == "dx" ? (size_t)c.N * c.C * c.H * c.W : (size_t)c.K * c.C * c.R * c.S;
  buf[output] = Buffer(outLength, c.out == "bf16" ? 2 : 4);
  for (auto& [name, b] : temporaries) buf[name] = b;
  emu::globals.clear();
  for (auto& [name, b] : buf) emu::globals.push_back({(const char*)b.bytes.data() + Guard, b.length * b.size});
  emu::stats = {};
  for (auto& line : launches) {
    std::istringstream in(line);
    std::string word, kernel;
    unsigned grid, block, shared;
    in >> word >> kernel >> grid >> block >> shared;
    std::vector<Arg> args;
    while (in >> word) {
      if (word[0] == '@') {
        if (!buf.count(word.substr(1))) emu::fail(("plan names an unknown buffer " + word).c_str());
        args.push_back({buf[word.substr(1)].data(), 0});
      } else args.push_back({nullptr, std::stoll(word)});
    }
    auto k = Kernels.find(kernel);
    if (k == Kernels.end()) emu::fail(("plan names an unknown kernel " + kernel).c_str());
    if (shared > 227 * 1024) emu::fail("a launch asks for more shared memory than a block can have");
    emu::smem.assign(shared, 0);
    emu::block_start = emu::reset_block;
    launch(grid, block, [&] { k->second(args); });
  }
  auto expected = reference(c, buf);
  double diff = 0, scale = 0;
  bool finite = true;
  for (size_t i = 0; i < expected.size(); i++) {
    double v = buf[output].at(i);
    finite = finite && std::isfinite(v);
    diff = std::max(diff, std::fabs(v - expected[i]));
    scale = std::max(scale, std::fabs(expected[i]));
  }
  double rel = scale == 0 ? diff : diff / scale, tol = c.out == "bf16" ? 1.0 / 256 : 2e-5;
  bool guards = true;
  for (auto& [name, b] : buf) guards = guards && b.guards_intact();
  long conflicts = emu::stats.ldmatrix + emu::stats.lds + emu::stats.cpasync;
  bool ok = finite && rel <= tol && guards && conflicts == 0;
  failures += !ok;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("%-86s %s rel %.1e%s%s bank conflicts %ld/%ld/%ld %5.1fs %s\n", c.name().c_str(), eager ? "eager" : "lazy ", rel, finite ? "" : " NaN", guards ? "" : " GUARD",
         emu::stats.ldmatrix, emu::stats.lds, emu::stats.cpasync, seconds, ok ? "ok" : "FAIL");
  fflush(stdout);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: conv_tc_emu PLANS [CASE-FILTER]\n"); return 2; }
  std::ifstream plans(argv[1]);
  std::string filter = argc > 2 ? argv[2] : "", line;
  int cases = 0;
  Case c{};
  std::vector<std::pair<std::string, Buffer>> temporaries;
  std::vector<std::string> launches;
  while (std::getline(plans, line)) {
    std::istringstream in(line);
    std::string word;
    in >> word;
    if (word == "case") {
      in >> c.pass >> c.in >> c.out >> c.N >> c.C >> c.H >> c.W >> c.K >> c.R >> c.S >> c.sh >> c.sw >> c.ph >> c.pw >> c.tile >> c.splits;
      c.OH = (c.H + 2 * c.ph - c.R) / c.sh + 1;
      c.OW = (c.W + 2 * c.pw - c.S) / c.sw + 1;
      temporaries.clear();
      launches.clear();
    } else if (word == "buffer") {
      std::string name, dtype;
      size_t length;
      in >> name >> dtype >> length;
      temporaries.push_back({name, Buffer(length, dtype == "bf16" ? 2 : 4)});
    } else if (word == "launch") {
      launches.push_back(line);
    } else if (word == "end" && c.name().find(filter) != std::string::npos) {
      for (bool eager : {false, true}) run(c, temporaries, launches, eager);
      cases += 2;
    }
  }
  if (cases == 0) { fprintf(stderr, "no cases in %s match \"%s\"\n", argv[1], filter.c_str()); return 2; }
  if (failures) printf("FAILURES: %d of %d\n", failures, cases);
  else printf("all %d ok\n", cases);
  return failures != 0;
}
