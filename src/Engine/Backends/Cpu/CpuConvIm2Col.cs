using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Implicit im2col for the forward product y_n (K × OH·OW) = W (K × C·R·S) · col(x_n): GEMM operand B with
/// element (pixel, (c, r, s)) = x_n[c, oh·sh − ph + r, ow·sw − pw + s], zero in the padding. Panels are packed
/// straight from x, so no column matrix is ever built; along a row of output pixels a stride-1 convolution
/// reads a contiguous run of x, which is copied as a block.
/// </summary>
internal readonly struct Im2ColSource<T>(T[] x, long imageOffset, Conv2dGeometry g) : IGemmPanelSource<T>
    where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        for (; count > 0; idx0 += width, count -= width, dst += (long)kc * width)
            PackPanel(dst, idx0, Math.Min(count, width), p0, kc, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void PackPanel(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        int rs = g.R * g.S, ow0 = idx0 % g.OutW, oh0 = idx0 / g.OutW;
        int c = p0 / rs, r = p0 % rs / g.S, s = p0 % g.S;
        long plane = (long)g.H * g.W;
        fixed (T* x0 = x)
        {
            for (int p = 0; p < kc; p++, dst += width)
            {
                T* xc = x0 + imageOffset + c * plane;
                // One run per row of output pixels covered by the panel.
                for (int t = 0, oh = oh0, ow = ow0; t < count; oh++, ow = 0)
                {
                    int len = Math.Min(count - t, g.OutW - ow);
                    Im2Col.GatherRow(xc, oh * g.StrideH - g.PadH + r, ow * g.StrideW - g.PadW + s, g.StrideW, len, g.H, g.W, dst + t);
                    t += len;
                }
                for (int t = count; t < width; t++) dst[t] = default;
                if (++s == g.S)
                {
                    s = 0;
                    if (++r == g.R) { r = 0; c++; }
                }
            }
        }
    }
}

/// <summary>
/// Implicit im2col for the weight gradient dW (K × C·R·S) = Σ_n dy_n · col(x_n)ᵀ, as one product whose inner
/// dimension runs over every (image, output pixel): GEMM operand B with element ((c, r, s), (n, pixel)).
/// Each (c, r, s) row is gathered with block copies, then the rows are transposed into the panel. Images are
/// counted from <c>offset</c>, so a thread can take a contiguous share of the batch.
/// </summary>
internal readonly struct Im2ColDepthSource<T>(T[] x, long offset, Conv2dGeometry g) : IGemmPanelSource<T>
    where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        for (; count > 0; idx0 += width, count -= width, dst += (long)kc * width)
            PackPanel(dst, idx0, Math.Min(count, width), p0, kc, width);
    }

    // The scratch rows are fully written before they are read: skip zeroing them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private unsafe void PackPanel(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        int rs = g.R * g.S, ohw = g.OutH * g.OutW;
        long plane = (long)g.H * g.W, image = g.C * plane;
        T* rows = stackalloc T[count * kc];
        fixed (T* x0 = x)
        {
            for (int t = 0; t < count; t++)
            {
                int crs = idx0 + t, c = crs / rs, r = crs % rs / g.S, s = crs % g.S;
                int n = p0 / ohw, pix = p0 % ohw, oh = pix / g.OutW, ow = pix % g.OutW;
                T* row = rows + t * kc;
                for (int q = 0; q < kc;)
                {
                    int len = Math.Min(kc - q, g.OutW - ow);
                    Im2Col.GatherRow(x0 + offset + n * image + c * plane, oh * g.StrideH - g.PadH + r, ow * g.StrideW - g.PadW + s,
                                     g.StrideW, len, g.H, g.W, row + q);
                    q += len;
                    ow = 0;
                    if (++oh == g.OutH) { oh = 0; n++; }
                }
            }
        }
        PanelTranspose.Pack(rows, kc, count, kc, dst, width);
    }
}

/// <summary>
/// Rows laid out in segments: element (idx, p) = data[offset + (p / segment)·segmentStride + idx·rowStride +
/// p mod segment]. Serves dy as the (K × N·OH·OW) operand of the weight gradient (rows k, segments images),
/// and x the same way for 1×1 convolutions.
/// </summary>
internal readonly struct SegmentedRowsSource<T>(T[] data, long offset, long rowStride, int segment, long segmentStride)
    : IGemmPanelSource<T> where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        for (; count > 0; idx0 += width, count -= width, dst += (long)kc * width)
            PackPanel(dst, idx0, Math.Min(count, width), p0, kc, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void PackPanel(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        fixed (T* d0 = data)
        {
            T* rows = d0 + offset + idx0 * rowStride;
            int seg = p0 / segment, at = p0 % segment;
            for (int q = 0; q < kc;)
            {
                int len = Math.Min(kc - q, segment - at);
                PanelTranspose.Pack(rows + seg * segmentStride + at, rowStride, count, len, dst + (long)q * width, width);
                q += len;
                at = 0;
                seg++;
            }
        }
    }
}

/// <summary>The row gather shared by the im2col panel sources.</summary>
internal static class Im2Col
{
    /// <summary>
    /// out[t] = x_c[ih, iw0 + t·stride] for t &lt; count, zero where (ih, iw) falls in the padding; stride 1 copies
    /// the in-range middle as one block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void GatherRow<T>(T* xc, int ih, int iw0, int stride, int count, int h, int w, T* o) where T : unmanaged
    {
        if ((uint)ih >= (uint)h)
        {
            new Span<T>(o, count).Clear();
            return;
        }
        T* row = xc + (long)ih * w;
        if (stride == 1)
        {
            int lo = Math.Clamp(-iw0, 0, count), hi = Math.Clamp(w - iw0, lo, count);
            for (int t = 0; t < lo; t++) o[t] = default;
            CopyShort(row + iw0 + lo, o + lo, hi - lo);
            for (int t = hi; t < count; t++) o[t] = default;
            return;
        }
        for (int t = 0, iw = iw0; t < count; t++, iw += stride) o[t] = (uint)iw < (uint)w ? row[iw] : default;
    }

    // The runs are one output row long (8 to 32 elements here): whole vectors inline, no memmove call per run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyShort<T>(T* src, T* dst, int count) where T : unmanaged
    {
        int t = 0;
        if (Vector.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            int lanes = Vector<byte>.Count / sizeof(T);
            for (; t + lanes <= count; t += lanes) Unsafe.WriteUnaligned(dst + t, Unsafe.ReadUnaligned<Vector<byte>>(src + t));
        }
        for (; t < count; t++) dst[t] = src[t];
    }
}
