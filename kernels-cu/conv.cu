// Convolution data movement: im2col and col2im for NCHW input and KCRS weights; the products themselves are
// cuBLAS GEMMs issued by src/Kernels/Cuda/CudaConv.cs. CPU reference: src/Engine/Backends/Cpu/CpuConv.cs.
//
// A column buffer holds, for each image of a chunk and each row (c, r, s) of the C·R·S rows, the OH·OW input
// values that meet that weight tap: col[image·imageStride + row·rowStride + oh·OW + ow]. The forward and
// backward-data passes use (image, row, position) order (imageStride = C·R·S·OH·OW, rowStride = OH·OW), so each
// image's block is an ordinary (C·R·S, OH·OW) matrix; the backward-weight pass uses (row, image, position)
// order (imageStride = OH·OW, rowStride = images·OH·OW), so the whole chunk is one (C·R·S, images·OH·OW)
// matrix and dW needs a single GEMM with a long inner dimension.
//
// The host launches at most 2^31 − 1 elements at once (it works per chunk of images), so indices are
// decomposed in 32-bit arithmetic (64-bit division is several times slower); addresses are 64-bit.
#include "common.cuh"

// One thread per column element: col(image, row, oh, ow) = x(image, c, oh·sh − ph + r, ow·sw − pw + s), or 0
// in the padding. Consecutive threads write consecutive positions (coalesced) and read along an input row.
template <typename T>
__device__ void im2col(const T* __restrict__ x, T* __restrict__ col, int images, int C, int H, int W, int R, int S,
                       int OH, int OW, int sh, int sw, int ph, int pw, i64 imageStride, i64 rowStride) {
  int ohw = OH * OW, rows = C * R * S;
  i64 total = (i64)images * rows * ohw;
  RG_FOR(i, total) {
    int j = (int)i;  // total < 2^31 (host check)
    int p = j % ohw, q = j / ohw;
    int row = q % rows, image = q / rows;
    int ow = p % OW, oh = p / OW;
    int s = row % S, rc = row / S;
    int r = rc % R, c = rc / R;
    int ih = oh * sh - ph + r, iw = ow * sw - pw + s;
    T v = (unsigned)ih < (unsigned)H && (unsigned)iw < (unsigned)W ? x[(((i64)image * C + c) * H + ih) * W + iw] : (T)0;
    col[image * imageStride + row * rowStride + p] = v;
  }
}

// One thread per input element, gathering every column entry that maps onto it (in the CPU's (r, s) order):
// deterministic, no atomics, and dx is overwritten. The column buffer is in (image, row, position) order.
// Tap r meets input row ih from output row oh = (ih + ph − r)/sh when that division is exact and in range.
// A bfloat16 dx gathers from a float32 column buffer (the GEMM's unrounded output), so it is rounded once.
template <typename CT, typename T>
__device__ void col2im(const CT* __restrict__ col, T* __restrict__ dx, int images, int C, int H, int W, int R, int S,
                       int OH, int OW, int sh, int sw, int ph, int pw) {
  int ohw = OH * OW;
  i64 total = (i64)images * C * H * W;
  RG_FOR(i, total) {
    int j = (int)i;  // total < 2^31 (host check)
    int iw = j % W, t = j / W;
    int ih = t % H, ic = t / H;  // ic = image·C + c
    int c = ic % C, image = ic / C;
    const CT* colImage = col + (i64)image * C * R * S * ohw;
    CT sum = (CT)0;
    for (int r = 0; r < R; r++) {
      int y = ih + ph - r;
      if (y < 0 || y % sh != 0 || y / sh >= OH) continue;
      int oh = y / sh;
      const CT* colRow = colImage + ((i64)(c * R + r) * S) * ohw + (i64)oh * OW;
      for (int s = 0; s < S; s++) {
        int z = iw + pw - s;
        if (z < 0 || z % sw != 0 || z / sw >= OW) continue;
        sum += colRow[(i64)s * ohw + z / sw];
      }
    }
    dx[i] = narrow<T>(sum);
  }
}

// T: the storage type of x and dx; CT: that of the column buffer col2im reads (float32 for bfloat16).
#define RG_CONV(T, CT, S)                                                                                           \
  extern "C" __global__ void conv2d_im2col_##S(const T* x, T* col, int images, int C, int H, int W, int R, int Sk,    \
                                               int OH, int OW, int sh, int sw, int ph, int pw, i64 imageStride,     \
                                               i64 rowStride) {                                                     \
    im2col<T>(x, col, images, C, H, W, R, Sk, OH, OW, sh, sw, ph, pw, imageStride, rowStride);                      \
  }                                                                                                                 \
  extern "C" __global__ void conv2d_col2im_##S(const CT* col, T* dx, int images, int C, int H, int W, int R, int Sk, \
                                               int OH, int OW, int sh, int sw, int ph, int pw) {                    \
    col2im<CT, T>(col, dx, images, C, H, W, R, Sk, OH, OW, sh, sw, ph, pw);                                         \
  }

RG_CONV(float, float, f32)
RG_CONV(double, double, f64)
RG_CONV(bf16, float, bf16)
