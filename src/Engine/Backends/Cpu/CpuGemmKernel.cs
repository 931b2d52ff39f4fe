using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// The register-tiled GEMM micro-kernel: a <see cref="MR"/> × <see cref="NR"/> tile of C from a packed A
/// micro-panel (kc groups of MR values) and a packed B micro-panel (kc groups of NR values). The tile is held
/// in 2·MR vector accumulators (16 of the 32 AVX-512 registers, 12 of the 16 AVX2 ones), so each step of k
/// costs two vector loads, MR broadcasts and 2·MR fused multiply-adds, and C is touched only once per call.
/// MR is a constant of the specialised code, so the rows a narrower register file lacks compile away.
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
    /// <paramref name="overwrite"/> (then C's prior content, NaN included, is never read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile(int kc, T* ap, T* bp, T* c, long ldc, T alpha, T beta, bool overwrite)
    {
        int l = TS.Lanes;
        TV c00 = TS.Zero, c01 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero, c20 = TS.Zero, c21 = TS.Zero;
        TV c30 = TS.Zero, c31 = TS.Zero, c40 = TS.Zero, c41 = TS.Zero, c50 = TS.Zero, c51 = TS.Zero;
        TV c60 = TS.Zero, c61 = TS.Zero, c70 = TS.Zero, c71 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(bp), b1 = TS.Load(bp + l);
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
            bp += 2 * l;
        }
        TV va = TS.Splat(alpha), vb = TS.Splat(beta);
        StoreRow(c, l, c00, c01, va, vb, overwrite); c += ldc;
        StoreRow(c, l, c10, c11, va, vb, overwrite); c += ldc;
        StoreRow(c, l, c20, c21, va, vb, overwrite); c += ldc;
        StoreRow(c, l, c30, c31, va, vb, overwrite); c += ldc;
        StoreRow(c, l, c40, c41, va, vb, overwrite); c += ldc;
        StoreRow(c, l, c50, c51, va, vb, overwrite);
        if (MR == 8)
        {
            c += ldc;
            StoreRow(c, l, c60, c61, va, vb, overwrite); c += ldc;
            StoreRow(c, l, c70, c71, va, vb, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(T* c, int l, TV x0, TV x1, TV va, TV vb, bool overwrite)
    {
        if (overwrite)
        {
            TS.Store(c, TS.Mul(va, x0));
            TS.Store(c + l, TS.Mul(va, x1));
        }
        else
        {
            TS.Store(c, TS.Fma(vb, TS.Load(c), TS.Mul(va, x0)));
            TS.Store(c + l, TS.Fma(vb, TS.Load(c + l), TS.Mul(va, x1)));
        }
    }
}
