using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Where the micro-kernel reads B's two vectors for each step of k: a packed micro-panel, or an operand read in
/// place (<see cref="OffsetPanel{T}"/>). A struct, so that each kind compiles into its own kernel.
/// </summary>
internal interface IBPanel<T> where T : unmanaged
{
    /// <summary>The addresses of this step's two vectors; moves on to the next step.</summary>
    unsafe void Next(out T* first, out T* second);
}

/// <summary>A packed micro-panel: kc groups of two vectors (<paramref name="lanes"/> values each), one after another.</summary>
internal unsafe struct PackedPanel<T>(T* panel, int lanes) : IBPanel<T> where T : unmanaged
{
    private T* _at = panel;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Next(out T* first, out T* second)
    {
        first = _at;
        second = _at + lanes;
        _at += 2 * lanes;
    }
}

/// <summary>
/// An operand read in place: step p's vectors start at <paramref name="first"/> + offsets[p] and
/// <paramref name="second"/> + offsets[p] (an implicit im2col: the panel's two runs of pixels, shifted by each
/// (channel, r, s) of the depth).
/// </summary>
internal unsafe struct OffsetPanel<T>(T* first, T* second, long* offsets) : IBPanel<T> where T : unmanaged
{
    private long* _offset = offsets;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Next(out T* a, out T* b)
    {
        long o = *_offset++;
        a = first + o;
        b = second + o;
    }
}

/// <summary>
/// The register-tiled GEMM micro-kernel: a <see cref="MR"/> × <see cref="NR"/> tile of C from a packed A
/// micro-panel (kc groups of MR values) and a B micro-panel (kc groups of NR values, packed or read in place).
/// The tile is held in 2·MR vector accumulators (16 of the 32 AVX-512 registers, 12 of the 16 AVX2 ones), so
/// each step of k costs two vector loads, MR broadcasts and 2·MR fused multiply-adds, and C is touched only once
/// per call. MR is a constant of the specialised code, so the rows a narrower register file lacks compile away.
/// </summary>
internal static class GemmKernel<T, TV, TS>
    where T : unmanaged
    where TV : struct
    where TS : IGemmSimd<T, TV>
{
    /// <summary>Rows of the register tile.</summary>
    public static int MR => TS.TileRows;

    /// <summary>Columns of the register tile: two vectors.</summary>
    public static int NR => 2 * TS.Lanes;

    /// <summary>
    /// C (MR×NR at <paramref name="c"/>, row stride <paramref name="ldc"/>) = alpha·Ap·Bp, plus beta·C unless
    /// <paramref name="overwrite"/> (then C's prior content, NaN included, is never read), then plus
    /// <paramref name="rowBias"/>[r] on row r when given (a convolution's bias, added after the product is rounded,
    /// so the result is the same as a separate add).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile<TB>(int kc, T* ap, TB bp, T* c, long ldc, T alpha, T beta, bool overwrite, T* rowBias = null)
        where TB : struct, IBPanel<T>
    {
        int l = TS.Lanes;
        TV c00 = TS.Zero, c01 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero, c20 = TS.Zero, c21 = TS.Zero;
        TV c30 = TS.Zero, c31 = TS.Zero, c40 = TS.Zero, c41 = TS.Zero, c50 = TS.Zero, c51 = TS.Zero;
        TV c60 = TS.Zero, c61 = TS.Zero, c70 = TS.Zero, c71 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            bp.Next(out T* v0, out T* v1);
            TV b0 = TS.Load(v0), b1 = TS.Load(v1);
            TV a = TS.Splat(ap[0]);
            c00 = TS.Fma(a, b0, c00); c01 = TS.Fma(a, b1, c01);
            a = TS.Splat(ap[1]);
            c10 = TS.Fma(a, b0, c10); c11 = TS.Fma(a, b1, c11);
            a = TS.Splat(ap[2]);
            c20 = TS.Fma(a, b0, c20); c21 = TS.Fma(a, b1, c21);
            a = TS.Splat(ap[3]);
            c30 = TS.Fma(a, b0, c30); c31 = TS.Fma(a, b1, c31);
            a = TS.Splat(ap[4]);
            c40 = TS.Fma(a, b0, c40); c41 = TS.Fma(a, b1, c41);
            a = TS.Splat(ap[5]);
            c50 = TS.Fma(a, b0, c50); c51 = TS.Fma(a, b1, c51);
            if (MR == 8)
            {
                a = TS.Splat(ap[6]);
                c60 = TS.Fma(a, b0, c60); c61 = TS.Fma(a, b1, c61);
                a = TS.Splat(ap[7]);
                c70 = TS.Fma(a, b0, c70); c71 = TS.Fma(a, b1, c71);
            }
            ap += MR;
        }
        TV va = TS.Splat(alpha), vb = TS.Splat(beta);
        StoreRow(c, l, c00, c01, va, vb, overwrite, rowBias, 0); c += ldc;
        StoreRow(c, l, c10, c11, va, vb, overwrite, rowBias, 1); c += ldc;
        StoreRow(c, l, c20, c21, va, vb, overwrite, rowBias, 2); c += ldc;
        StoreRow(c, l, c30, c31, va, vb, overwrite, rowBias, 3); c += ldc;
        StoreRow(c, l, c40, c41, va, vb, overwrite, rowBias, 4); c += ldc;
        StoreRow(c, l, c50, c51, va, vb, overwrite, rowBias, 5);
        if (MR == 8)
        {
            c += ldc;
            StoreRow(c, l, c60, c61, va, vb, overwrite, rowBias, 6); c += ldc;
            StoreRow(c, l, c70, c71, va, vb, overwrite, rowBias, 7);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(T* c, int l, TV x0, TV x1, TV va, TV vb, bool overwrite, T* rowBias, int row)
    {
        TV y0, y1;
        if (overwrite)
        {
            y0 = TS.Mul(va, x0);
            y1 = TS.Mul(va, x1);
        }
        else
        {
            y0 = TS.Fma(vb, TS.Load(c), TS.Mul(va, x0));
            y1 = TS.Fma(vb, TS.Load(c + l), TS.Mul(va, x1));
        }
        if (rowBias != null)
        {
            TV bias = TS.Splat(rowBias[row]);
            y0 = TS.Add(y0, bias);
            y1 = TS.Add(y1, bias);
        }
        TS.Store(c, y0);
        TS.Store(c + l, y1);
    }
}
