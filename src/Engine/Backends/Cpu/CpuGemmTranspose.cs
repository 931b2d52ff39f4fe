using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Packs a panel from rows that run along the depth: dst[p·width + t] = src[t·ld + p]. Operands whose inner
/// dimension is contiguous (Aᵀ-style B, the weight gradient's dy and im2col rows) need this transpose; with AVX
/// it moves 8×8 float (4×4 double) blocks through registers instead of one element at a time.
/// </summary>
internal static class PanelTranspose
{
    /// <summary>dst[p·width + t] = src[t·ld + p] for t &lt; rows, p &lt; kc; zero for rows ≤ t &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Pack<T>(T* src, long ld, int rows, int kc, T* dst, int width) where T : unmanaged
    {
        int t0 = 0;
        if (Avx.IsSupported && typeof(T) == typeof(float))
            for (; t0 + 8 <= rows; t0 += 8) Blocks8((float*)(src + t0 * ld), ld, kc, (float*)(dst + t0), width);
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            for (; t0 + 4 <= rows; t0 += 4) Blocks4((double*)(src + t0 * ld), ld, kc, (double*)(dst + t0), width);
        // Rows left over from the blocks (every row without AVX), depth outermost so that writes stay contiguous
        // and each source row's cache line serves several steps; then the zero padding.
        for (int p = 0; p < kc; p++)
        {
            T* o = dst + (long)p * width;
            for (int t = t0; t < rows; t++) o[t] = src[t * ld + p];
            for (int t = rows; t < width; t++) o[t] = default;
        }
    }

    // Eight rows: full 8×8 blocks through AVX registers, the last kc mod 8 steps element by element.
    private static unsafe void Blocks8(float* s, long ld, int kc, float* d, int width)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Block8(Avx.LoadVector256(s + p), Avx.LoadVector256(s + ld + p), Avx.LoadVector256(s + 2 * ld + p), Avx.LoadVector256(s + 3 * ld + p),
                   Avx.LoadVector256(s + 4 * ld + p), Avx.LoadVector256(s + 5 * ld + p), Avx.LoadVector256(s + 6 * ld + p),
                   Avx.LoadVector256(s + 7 * ld + p), d + (long)p * width, width);
        }
        for (; p < kc; p++)
            for (int t = 0; t < 8; t++) d[(long)p * width + t] = s[t * ld + p];
    }

    /// <summary>
    /// Eight vectors of eight floats, r_t[q], transposed: dst[q·width + t] = r_t[q] (an 8×8 block of a panel).
    /// Also used by the im2col operand of the weight gradient, whose eight rows lie at unrelated addresses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Block8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
                                     Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* o, int width)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(o, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(o + width, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(o + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(o + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(o + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(o + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(o + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(o + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
    }

    // Four rows of doubles: 4×4 blocks.
    private static unsafe void Blocks4(double* s, long ld, int kc, double* d, int width)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector256<double> r0 = Avx.LoadVector256(s + p), r1 = Avx.LoadVector256(s + ld + p);
            Vector256<double> r2 = Avx.LoadVector256(s + 2 * ld + p), r3 = Avx.LoadVector256(s + 3 * ld + p);
            Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            double* o = d + (long)p * width;
            Avx.Store(o, Avx.Permute2x128(t0, t2, 0x20));
            Avx.Store(o + width, Avx.Permute2x128(t1, t3, 0x20));
            Avx.Store(o + 2 * width, Avx.Permute2x128(t0, t2, 0x31));
            Avx.Store(o + 3 * width, Avx.Permute2x128(t1, t3, 0x31));
        }
        for (; p < kc; p++)
            for (int t = 0; t < 4; t++) d[(long)p * width + t] = s[t * ld + p];
    }
}
