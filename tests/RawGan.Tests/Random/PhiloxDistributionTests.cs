using RawGan.Engine;

namespace RawGan.Tests.Rng;

/// <summary>
/// Moments of 10^6 samples against their exact values, each within 4 standard errors (a false alarm about once
/// in 16,000 checks); the seed is fresh each run and named in every failure.
/// </summary>
public class PhiloxDistributionTests
{
    private const int N = 1_000_000;
    private const double Z = 4;

    [Test]
    public void UniformIsStrictlyInsideTheUnitIntervalWithTheRightMoments([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var x = Tensor.RandomUniform(new Shape(N), seed, offset, dtype).ToDoubleArray();
        string why = $"seed {seed}, offset {offset}, {dtype}";
        Assert.That(x.Min(), Is.GreaterThan(0.0), why);
        Assert.That(x.Max(), Is.LessThan(1.0), why);
        var m = Moments.Of(x);
        // U(0,1): variance 1/12, fourth central moment 1/80.
        Assert.That(m.Mean, Is.EqualTo(0.5).Within(Z * Math.Sqrt(1.0 / 12 / N)), why);
        Assert.That(m.Variance, Is.EqualTo(1.0 / 12).Within(Z * Math.Sqrt((1.0 / 80 - 1.0 / 144) / N)), why);
    }

    [Test]
    public void NormalHasMeanVarianceAndKurtosisOfTheGaussian([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        const double mean = -1.5, std = 2.5;
        var x = Tensor.RandomNormal(new Shape(N), seed, offset, mean, std, dtype).ToDoubleArray();
        string why = $"seed {seed}, offset {offset}, {dtype}";
        var m = Moments.Of(x);
        Assert.That(m.Mean, Is.EqualTo(mean).Within(Z * std / Math.Sqrt(N)), why);
        Assert.That(m.Variance, Is.EqualTo(std * std).Within(Z * std * std * Math.Sqrt(2.0 / N)), why);
        Assert.That(m.ExcessKurtosis, Is.EqualTo(0).Within(Z * Math.Sqrt(24.0 / N)), why);
    }

    [Test]
    public void TruncatedNormalMatchesTheAnalyticTruncatedGaussian([Values(0.25, 0.5, 1.0, 2.0)] double t)
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var x = Tensor.TruncatedNormal(new Shape(N), t, seed, offset, DType.Float64).ToArray<double>();
        string why = $"seed {seed}, offset {offset}, threshold {t}";
        Assert.That(x.Max(Math.Abs), Is.LessThanOrEqualTo(t), why);

        // Normal restricted to [−t, t]: mass P = 2Φ(t) − 1 = erf(t/√2); with φ = φ(t),
        //   E x²  = 1 − 2tφ/P                    (integrate x·xφ(x) by parts)
        //   E x⁴  = 3 E x² − 2t³φ/P              (likewise, x³·xφ(x))
        // and the sample variance of n draws has standard error √((E x⁴ − (E x²)²)/n).
        double p = Erf(t / Math.Sqrt(2)), phi = Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
        double variance = 1 - 2 * t * phi / p;
        double fourth = 3 * variance - 2 * t * t * t * phi / p;
        var m = Moments.Of(x);
        Assert.That(m.Mean, Is.EqualTo(0).Within(Z * Math.Sqrt(variance / N)), why);
        Assert.That(m.Variance, Is.EqualTo(variance).Within(Z * Math.Sqrt((fourth - variance * variance) / N)), why);
    }

    [Test]
    public void Float32TruncatedNormalStaysInsideTheRoundedThreshold()
    {
        ulong seed = TestSeed.Fresh();
        const double t = 0.3; // not a float: rounding could only reach (float)t, never beyond
        var x = Tensor.TruncatedNormal(new Shape(100_000), t, seed).ToArray<float>();
        Assert.That(x.Max(MathF.Abs), Is.LessThanOrEqualTo((float)t), $"seed {seed}");
    }

    [Test]
    public void ErfReferenceMatchesKnownValues()
    {
        // 2Φ(t) − 1 for t = 0.25, 1, 2 (from mpmath at 300 bits).
        Assert.That(Erf(0.25 / Math.Sqrt(2)), Is.EqualTo(0.19741265136584746).Within(1e-15));
        Assert.That(Erf(1 / Math.Sqrt(2)), Is.EqualTo(0.6826894921370859).Within(1e-15));
        Assert.That(Erf(2 / Math.Sqrt(2)), Is.EqualTo(0.9544997361036416).Within(1e-15));
    }

    /// <summary>erf by its Maclaurin series, 2/√π Σ (−1)^k x^(2k+1) / (k! (2k+1)); accurate to 1e-15 for |x| ≤ 2.</summary>
    private static double Erf(double x)
    {
        double term = x, sum = x;
        for (int k = 1; k < 100; k++)
        {
            term *= -x * x / k;
            sum += term / (2 * k + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private readonly record struct Moments(double Mean, double Variance, double ExcessKurtosis)
    {
        public static Moments Of(double[] x)
        {
            double mean = x.Average();
            double m2 = 0, m4 = 0;
            foreach (double v in x)
            {
                double d = (v - mean) * (v - mean);
                m2 += d;
                m4 += d * d;
            }
            m2 /= x.Length;
            m4 /= x.Length;
            return new Moments(mean, m2, m4 / (m2 * m2) - 3);
        }
    }
}
