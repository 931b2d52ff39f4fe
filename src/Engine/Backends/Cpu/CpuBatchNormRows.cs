using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// The float32 row loops of batch norm's statistics and backward, in SIMD: each float lane widened to double, so the
/// sums stay in double as the scalar loops keep them (only their association changes, over 2·Vector&lt;double&gt;
/// partial sums), and the backward's per-element formula runs in double in the scalar loop's operation order, so dx
/// is bit for bit what the scalar loop gives. The scalar loops were bound by one dependent double add per element.
/// </summary>
internal static class CpuBatchNormRows
{
    private static readonly int Width = Vector<float>.Count;

    /// <summary>Σ x in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Width; i += Width)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var lo, out var hi);
            a0 += lo;
            a1 += hi;
        }
        double s = Vector.Sum(a0 + a1);
        for (; i < x.Length; i++) s += x[i];
        return s;
    }

    /// <summary>Σ (x − m)² in double.</summary>
    public static double SumSquaredDeviations(ReadOnlySpan<float> x, double m)
    {
        Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero, vm = new(m);
        int i = 0;
        for (; i <= x.Length - Width; i += Width)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var lo, out var hi);
            var d0 = lo - vm;
            var d1 = hi - vm;
            a0 += d0 * d0;
            a1 += d1 * d1;
        }
        double s = Vector.Sum(a0 + a1);
        for (; i < x.Length; i++)
        {
            double d = x[i] - m;
            s += d * d;
        }
        return s;
    }

    /// <summary>Σ dy and Σ dy·(x − μ)·invStd in double.</summary>
    public static (double SumDy, double SumDyXhat) BackwardSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, double mu, double invStd)
    {
        Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero, t0 = Vector<double>.Zero, t1 = Vector<double>.Zero;
        Vector<double> vmu = new(mu), vinv = new(invStd);
        int i = 0;
        for (; i <= x.Length - Width; i += Width)
        {
            Vector.Widen(new Vector<float>(dy[i..]), out var d0, out var d1);
            Vector.Widen(new Vector<float>(x[i..]), out var x0, out var x1);
            s0 += d0;
            s1 += d1;
            t0 += d0 * (x0 - vmu) * vinv;
            t1 += d1 * (x1 - vmu) * vinv;
        }
        double sumDy = Vector.Sum(s0 + s1), sumDyXhat = Vector.Sum(t0 + t1);
        for (; i < x.Length; i++)
        {
            double d = dy[i];
            sumDy += d;
            sumDyXhat += d * (x[i] - mu) * invStd;
        }
        return (sumDy, sumDyXhat);
    }

    /// <summary>dx = k1·(dy − meanDy − (x − μ)·invStd·meanDyXhat), each element in double, then rounded to float.</summary>
    public static void BackwardRow(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx,
                                   double k1, double meanDy, double mu, double invStd, double meanDyXhat)
    {
        Vector<double> vk1 = new(k1), vMeanDy = new(meanDy), vmu = new(mu), vinv = new(invStd), vMeanDyXhat = new(meanDyXhat);
        int i = 0;
        for (; i <= x.Length - Width; i += Width)
        {
            Vector.Widen(new Vector<float>(dy[i..]), out var d0, out var d1);
            Vector.Widen(new Vector<float>(x[i..]), out var x0, out var x1);
            var r0 = vk1 * (d0 - vMeanDy - (x0 - vmu) * vinv * vMeanDyXhat);
            var r1 = vk1 * (d1 - vMeanDy - (x1 - vmu) * vinv * vMeanDyXhat);
            Vector.Narrow(r0, r1).CopyTo(dx[i..]);
        }
        for (; i < x.Length; i++) dx[i] = (float)(k1 * (dy[i] - meanDy - (x[i] - mu) * invStd * meanDyXhat));
    }
}
