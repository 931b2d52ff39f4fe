using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Engine.Backends.Cpu;

// The im2col operands of stride-1 convolutions read from a zero-bordered copy of the images: with the padding in
// memory, every run of output pixels reads a run of input pixels without bounds checks, so forward and data
// gradient read it in place and the weight gradient transposes it in 8×8 blocks.

internal sealed partial class CpuBackend
{
    // One image of a stride-1 convolution with its im2col operand read in place from a zero-bordered copy.
    private static unsafe void ConvImageInPlace<T>(T[] x, long xOffset, DenseSource<T> weights, T[]? packed, T[]? bias,
                                                   T[] y, long yOffset, Conv2dGeometry g, bool parallel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hp = g.H + 2 * g.PadH, wp = g.W + 2 * g.PadW;
        T[] padded = ArrayPool<T>.Shared.Rent(g.C * hp * wp);
        try
        {
            fixed (T* xp = x, pp = padded)
            {
                PaddedIm2ColSource<T>.Fill(xp + xOffset, g, pp, hp, wp);
                GemmPacked(g.K, g.OutH * g.OutW, g.C * g.R * g.S, T.One, weights, new PaddedIm2ColSource<T>(pp, hp, wp, g), T.Zero,
                           y, yOffset, g.OutH * g.OutW, parallel, bias, packed);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(padded);
        }
    }

    // Stride 1: the images copied once with zero borders, so that the im2col operand packs without bounds checks.
    private static unsafe void WeightGradientPadded<T>(T[] x, SegmentedRowsSource<T> grads, Conv2dGeometry g, int n0, int n1, ArraySegment<T> dw, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hp = g.H + 2 * g.PadH, wp = g.W + 2 * g.PadW, crs = g.C * g.R * g.S;
        long paddedImage = (long)g.C * hp * wp, xImage = (long)g.C * g.H * g.W;
        T[] padded = ArrayPool<T>.Shared.Rent(checked((int)((n1 - n0) * paddedImage)));
        try
        {
            fixed (T* xp = x, pp = padded)
            {
                for (int n = n0; n < n1; n++) PaddedIm2ColSource<T>.Fill(xp + n * xImage, g, pp + (n - n0) * paddedImage, hp, wp);
                GemmPacked(g.K, crs, checked((n1 - n0) * g.OutH * g.OutW), T.One, grads, new PaddedIm2ColDepthSource<T>(pp, hp, wp, g), T.Zero,
                           dw.Array!, dw.Offset, crs, parallel);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(padded);
        }
    }
}

/// <summary>
/// Implicit im2col read in place, for stride-1 convolutions: GEMM operand B with element (pixel, (c, r, s)) =
/// padded[c, oh + r, ow + s], where <paramref name="padded"/> is x_n copied once into a zero-bordered image of
/// <paramref name="hp"/> × <paramref name="wp"/> per channel. Each vector of a panel is then a run of one output
/// row shifted by (c, r, s), so the micro-kernel reads it where it lies instead of from a packed copy (packing
/// took a quarter to a third of a 3×3 convolution's time). Needs OutW to be a multiple of the vector width.
/// </summary>
internal readonly unsafe struct PaddedIm2ColSource<T>(T* padded, int hp, int wp, Conv2dGeometry g) : IGemmPanelSource<T>
    where T : unmanaged
{
    public static bool InPlace => true;

    public void DepthOffsets(int p0, int kc, long* offsets)
    {
        int rs = g.R * g.S, c = p0 / rs, r = p0 % rs / g.S, s = p0 % g.S;
        long plane = (long)hp * wp;
        for (int p = 0; p < kc; p++)
        {
            offsets[p] = c * plane + r * wp + s;
            if (++s == g.S)
            {
                s = 0;
                if (++r == g.R) { r = 0; c++; }
            }
        }
    }

    public void PanelBases(int idx0, int count, int width, int lanes, T** bases)
    {
        for (int pix = idx0, k = 0; pix < idx0 + count; pix += lanes, k++)
            bases[k] = padded + (long)(pix / g.OutW) * wp + pix % g.OutW;
    }

    // Read in place: the GEMM driver never asks for a packed copy.
    public void Pack(T* dst, int idx0, int count, int p0, int kc, int width) =>
        throw new NotSupportedException("A padded im2col operand is read in place, not packed.");

    /// <summary>x_n (C × H × W at <paramref name="x"/>) into <paramref name="padded"/> with zero borders of (padH, padW).</summary>
    public static void Fill(T* x, Conv2dGeometry g, T* padded, int hp, int wp)
    {
        for (int c = 0; c < g.C; c++)
        {
            T* dst = padded + (long)c * hp * wp;
            T* src = x + (long)c * g.H * g.W;
            new Span<T>(dst, g.PadH * wp).Clear();
            for (int i = 0; i < g.H; i++)
            {
                T* row = dst + (long)(g.PadH + i) * wp;
                new Span<T>(row, g.PadW).Clear();
                new ReadOnlySpan<T>(src + (long)i * g.W, g.W).CopyTo(new Span<T>(row + g.PadW, g.W));
                new Span<T>(row + g.PadW + g.W, wp - g.PadW - g.W).Clear();
            }
            new Span<T>(dst + (long)(g.PadH + g.H) * wp, (hp - g.PadH - g.H) * wp).Clear();
        }
    }
}

/// <summary>
/// The weight gradient's im2col operand of a stride-1 convolution, packed from zero-bordered images: GEMM operand B
/// with element ((c, r, s), (n, pixel)) = padded[n, c, oh + r, ow + s] (images counted from the copy's first).
/// With AVX, each run of eight pixels of an output row and eight (c, r, s) columns is one 8×8 block transpose.
/// </summary>
internal readonly unsafe struct PaddedIm2ColDepthSource<T>(T* padded, int hp, int wp, Conv2dGeometry g) : IGemmPanelSource<T>
    where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        for (; count > 0; idx0 += width, count -= width, dst += (long)kc * width)
            PackPanel(dst, idx0, Math.Min(count, width), p0, kc, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private void PackPanel(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        int rs = g.R * g.S, ohw = g.OutH * g.OutW;
        long plane = (long)hp * wp, image = g.C * plane;
        long* column = stackalloc long[count]; // each (c, r, s) column's offset in a padded image
        for (int t = 0; t < count; t++)
        {
            int crs = idx0 + t;
            column[t] = crs / rs * plane + crs % rs / g.S * wp + crs % g.S;
        }
        // Columns in whole 8×8 blocks (float with AVX, output rows of whole runs of eight); the rest one by one.
        int blocked = typeof(T) == typeof(float) && Avx.IsSupported && g.OutW % 8 == 0 && p0 % 8 == 0 && kc % 8 == 0 ? count / 8 * 8 : 0;
        int n = p0 / ohw, pix = p0 % ohw, oh = pix / g.OutW, ow = pix % g.OutW;
        for (int p = 0; p < kc;)
        {
            int len = Math.Min(kc - p, g.OutW - ow);
            T* run = padded + n * image + (long)oh * wp + ow;
            T* o = dst + (long)p * width;
            for (int q = 0; q < len; q += 8)
                for (int t = 0; t < blocked; t += 8)
                {
                    float* at = (float*)run + q;
                    long* c = column + t;
                    PanelTranspose.Block8(Avx.LoadVector256(at + c[0]), Avx.LoadVector256(at + c[1]), Avx.LoadVector256(at + c[2]), Avx.LoadVector256(at + c[3]),
                                          Avx.LoadVector256(at + c[4]), Avx.LoadVector256(at + c[5]), Avx.LoadVector256(at + c[6]), Avx.LoadVector256(at + c[7]),
                                          (float*)(o + (long)q * width + t), width);
                }
            for (int q = 0; q < len; q++)
            {
                T* row = o + (long)q * width;
                for (int t = blocked; t < count; t++) row[t] = run[q + column[t]];
                for (int t = count; t < width; t++) row[t] = default;
            }
            p += len;
            ow += len;
            if (ow == g.OutW)
            {
                ow = 0;
                if (++oh == g.OutH) { oh = 0; n++; }
            }
        }
    }
}
