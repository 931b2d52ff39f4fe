namespace RawGan.Engine.Rng;

/// <summary>
/// ln(x), cos(2πu) and sin(2πu) in double from IEEE correctly-rounded operations only (+, −, ×, ÷, fused
/// multiply-add, comparisons, exponent bits), so that a CUDA port performing the same operations in the same
/// order returns the same bits; Math.Log/Math.Cos differ between C runtimes and from CUDA's libdevice.
/// Accuracy: a few ulp (relative error about 5e-16), checked against Math.* in the tests.
/// Every a·b+c below is written as an explicit FMA or as separate operations on purpose: the CUDA port must
/// keep them exactly so (compile with <c>--fmad=false</c> or use <c>__dmul_rn</c>/<c>__dadd_rn</c>).
/// </summary>
internal static class PortableMath
{
    // ln 2 split so that e·Ln2Hi is exact for |e| < 2^21 (Ln2Hi has 21 trailing zero bits): 0x3FE62E42FEE00000, 0x3DEA39EF35793C76.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;

    // √2 rounded (0x3FF6A09E667F3BCD): mantissas above it are halved so that m lies in [√2/2, √2].
    private const double Sqrt2 = 1.4142135623730951;

    // π/2 split (0x3FF921FB54442D18 + 0x3C91A62633145C07), for x = r·π/2 with one rounding.
    private const double HalfPiHi = 1.5707963267948966;
    private const double HalfPiLo = 6.123233995736766e-17;

    // 2^54, to lift subnormal inputs into the normal range exactly.
    private const double TwoPow54 = 18014398509481984.0;

    /// <summary>
    /// Natural logarithm of a positive finite x: x = 2^e·m with m in [√2/2, √2], ln m = 2 atanh(s),
    /// s = (m − 1)/(m + 1), |s| ≤ 0.1716, series through s^21 (truncation below 1e-18 relative).
    /// </summary>
    public static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = 0;
        if ((bits >> 52) == 0) // subnormal (x > 0 assumed): scale by 2^54 exactly
        {
            bits = BitConverter.DoubleToInt64Bits(x * TwoPow54);
            e = -54;
        }
        e += (int)(bits >> 52) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5;
            e += 1;
        }
        double s = (m - 1.0) / (m + 1.0); // m − 1 is exact (Sterbenz)
        double s2 = s * s;
        // Horner over the odd series 2s + 2s³/3 + 2s⁵/5 + … + 2s²¹/21; coefficients are 2/(2k+1) rounded once.
        double p = 2.0 / 21.0;
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 19.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 17.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 15.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 13.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 11.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 9.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 7.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 5.0);
        p = Math.FusedMultiplyAdd(p, s2, 2.0 / 3.0);
        double s3 = s2 * s;
        double logM = Math.FusedMultiplyAdd(s3, p, 2.0 * s);
        double ed = e;
        return Math.FusedMultiplyAdd(ed, Ln2Hi, Math.FusedMultiplyAdd(ed, Ln2Lo, logM));
    }

    /// <summary>
    /// cos(2πu) and sin(2πu) for finite u in [0, 1]. The reduction is exact: n = rint(4u), r = 4u − n in
    /// [−1/2, 1/2] (both steps exact), so 2πu = n·π/2 + x with x = r·π/2 in [−π/4, π/4]; the quadrant n mod 4
    /// then picks ±cos x or ±sin x. Zeros of cos and sin (u = 1/4, 1/2, 3/4) are kept to full relative accuracy.
    /// </summary>
    public static (double Cos, double Sin) CosSin2Pi(double u)
    {
        double q = 4.0 * u;
        double n = Math.Round(q, MidpointRounding.ToEven); // CUDA: rint
        double r = q - n;
        double x = Math.FusedMultiplyAdd(r, HalfPiHi, r * HalfPiLo);
        double c = CosKernel(x), s = SinKernel(x);
        return ((int)n & 3) switch
        {
            0 => (c, s),
            1 => (-s, c),
            2 => (-c, -s),
            _ => (s, -c),
        };
    }

    // sin x for |x| ≤ π/4: x + x³·P(x²), Taylor through x^17 (truncation below 1e-19 relative), coefficients 1/n! rounded once.
    private static double SinKernel(double x)
    {
        double x2 = x * x;
        double p = 1.0 / 355687428096000.0;                        // 1/17!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 1307674368000.0);  // 1/15!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 6227020800.0);      // 1/13!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 39916800.0);       // 1/11!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 362880.0);          // 1/9!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 5040.0);           // 1/7!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 120.0);             // 1/5!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 6.0);              // 1/3!
        double x3 = x2 * x;
        return Math.FusedMultiplyAdd(x3, p, x);
    }

    // cos x for |x| ≤ π/4: 1 + x²·Q(x²), Taylor through x^18 (truncation below 1e-19), coefficients 1/n! rounded once.
    private static double CosKernel(double x)
    {
        double x2 = x * x;
        double q = -1.0 / 6402373705728000.0;                      // 1/18!
        q = Math.FusedMultiplyAdd(q, x2, 1.0 / 20922789888000.0);  // 1/16!
        q = Math.FusedMultiplyAdd(q, x2, -1.0 / 87178291200.0);    // 1/14!
        q = Math.FusedMultiplyAdd(q, x2, 1.0 / 479001600.0);       // 1/12!
        q = Math.FusedMultiplyAdd(q, x2, -1.0 / 3628800.0);        // 1/10!
        q = Math.FusedMultiplyAdd(q, x2, 1.0 / 40320.0);           // 1/8!
        q = Math.FusedMultiplyAdd(q, x2, -1.0 / 720.0);            // 1/6!
        q = Math.FusedMultiplyAdd(q, x2, 1.0 / 24.0);              // 1/4!
        q = Math.FusedMultiplyAdd(q, x2, -0.5);                    // 1/2!
        return Math.FusedMultiplyAdd(x2, q, 1.0);
    }
}
