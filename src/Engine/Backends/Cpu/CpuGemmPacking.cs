using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Where the blocked GEMM reads an operand from. The driver asks for micro-panels: each holds <c>width</c>
/// consecutive rows of op(A) (or columns of op(B)) over <c>kc</c> consecutive steps of the inner dimension, laid
/// out as kc groups of width values. Transposes, strides and im2col all live behind this one method, so the
/// micro-kernel only ever sees unit-stride packed data.
/// </summary>
internal interface IGemmPanelSource<T> where T : unmanaged
{
    /// <summary>
    /// Packs rows [idx0, idx0 + count) as ⌈count/width⌉ consecutive panels of kc·width elements: panel q holds
    /// dst[q·kc·width + p·width + t] = element(idx0 + q·width + t, p0 + p), zero past count.
    /// </summary>
    unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width);

    /// <summary>
    /// True for a B operand the micro-kernel reads in place (<see cref="DepthOffsets"/>, <see cref="PanelBases"/>)
    /// instead of a packed copy: element (idx, p) at base(idx's panel, vector) + offset(p).
    /// </summary>
    static virtual bool InPlace => false;

    /// <summary>An in-place operand's offsets[p] of depth steps [p0, p0 + kc), relative to the panel bases.</summary>
    unsafe void DepthOffsets(int p0, int kc, long* offsets) => throw new NotSupportedException("This operand is packed, not read in place.");

    /// <summary>
    /// An in-place operand's bases of the panels of columns [idx0, idx0 + count) (count a multiple of
    /// <paramref name="width"/>): for each panel, one address per vector of <paramref name="lanes"/> values.
    /// </summary>
    unsafe void PanelBases(int idx0, int count, int width, int lanes, T** bases) => throw new NotSupportedException("This operand is packed, not read in place.");
}

/// <summary>
/// A strided matrix: element (idx, p) at data[offset + idx·idxStride + p·depthStride]. Covers A and B, plain
/// or transposed: row-major A is (lda, 1), Aᵀ is (1, lda); row-major B is (1, ldb), Bᵀ is (ldb, 1).
/// </summary>
internal readonly struct DenseSource<T>(T[] data, long offset, long idxStride, long depthStride) : IGemmPanelSource<T>
    where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width)
    {
        fixed (T* d0 = data)
        {
            T* s = d0 + offset + idx0 * idxStride + p0 * depthStride;
            if (idxStride == 1)
            {
                // Each depth step is a contiguous run across all the panels: read it once, in order (one
                // panel at a time would stride through memory a row apart at every step), padding the tail.
                long panel = (long)kc * width;
                for (int p = 0; p < kc; p++, s += depthStride)
                {
                    T* o = dst + (long)p * width;
                    int t = 0;
                    for (; t + width <= count; t += width, o += panel)
                        new ReadOnlySpan<T>(s + t, width).CopyTo(new Span<T>(o, width));
                    if (t < count)
                    {
                        new ReadOnlySpan<T>(s + t, count - t).CopyTo(new Span<T>(o, count - t));
                        for (int u = count - t; u < width; u++) o[u] = default;
                    }
                }
                return;
            }
            for (; count > 0; count -= width, s += width * idxStride, dst += (long)kc * width)
                GatherPanel(s, Math.Min(count, width), kc, dst, width);
        }
    }

    // One panel of a transposed operand. Rows contiguous along the depth go through the block transpose;
    // otherwise walk the depth outermost so that the panel is written contiguously, reading one element from
    // each of the count rows (each row's cache line serves several depth steps).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void GatherPanel(T* s, int count, int kc, T* dst, int width)
    {
        if (depthStride == 1)
        {
            PanelTranspose.Pack(s, idxStride, count, kc, dst, width);
            return;
        }
        T** rows = stackalloc T*[count];
        for (int t = 0; t < count; t++) rows[t] = s + t * idxStride;
        for (int p = 0; p < kc; p++, dst += width)
        {
            long at = p * depthStride;
            for (int t = 0; t < count; t++) dst[t] = rows[t][at];
            for (int t = count; t < width; t++) dst[t] = default;
        }
    }
}
