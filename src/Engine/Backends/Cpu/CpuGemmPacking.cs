using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Where the blocked GEMM reads an operand from. The driver asks for micro-panels: <c>count</c> consecutive
/// rows of op(A) (or columns of op(B)) over <c>kc</c> consecutive steps of the inner dimension, laid out as
/// kc groups of <c>width</c> values, zero-padded past <c>count</c>. Transposes, strides and im2col all live
/// behind this one method, so the micro-kernel only ever sees unit-stride packed data.
/// </summary>
internal interface IGemmPanelSource<T> where T : unmanaged
{
    /// <summary>Writes dst[p·width + t] = element(idx0 + t, p0 + p) for t &lt; count, 0 for count ≤ t &lt; width.</summary>
    unsafe void Pack(T* dst, int idx0, int count, int p0, int kc, int width);
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
                // Each depth step is a contiguous run: copy it, pad the tail.
                for (int p = 0; p < kc; p++, s += depthStride, dst += width)
                {
                    new ReadOnlySpan<T>(s, count).CopyTo(new Span<T>(dst, count));
                    for (int t = count; t < width; t++) dst[t] = default;
                }
                return;
            }
            // Transposed gather: walk the depth outermost so that the panel is written contiguously, reading one
            // element from each of the count rows (each row's cache line serves several depth steps).
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
}
