using RawGan.Engine.Rng;

namespace RawGan.Tests.Rng;

/// <summary>PortableMath (the libm-free ln and cos/sin(2πu) behind Box–Muller) against Math.*.</summary>
public class PortableMathTests
{
    private const int Points = 200_000;
    private const double RelativeTolerance = 1e-14;

    [Test]
    public void LogMatchesMathLogAcrossTheWholeRange()
    {
        ulong seed = TestSeed.Fresh();
        var rng = new Random((int)seed);
        double worst = 0, worstAt = 0;
        for (int i = 0; i < Points; i++)
        {
            // Half the points uniform in (0, 1) as Box–Muller uses them, half log-uniform over all positive doubles.
            double x = i % 2 == 0 ? rng.NextDouble() : Math.Pow(2, rng.NextDouble() * 2100 - 1074);
            if (x == 0) continue;
            double err = RelativeError(PortableMath.Log(x), Math.Log(x));
            if (err > worst) (worst, worstAt) = (err, x);
        }
        TestContext.Out.WriteLine($"seed {seed}: worst relative error {worst:e2} at {worstAt:r}");
        Assert.That(worst, Is.LessThan(RelativeTolerance), $"seed {seed}, at x = {worstAt:r}");
    }

    [Test]
    public void LogIsAccurateNearOneAndAtSpecialPoints()
    {
        Assert.That(PortableMath.Log(1.0), Is.Zero);
        Assert.That(PortableMath.Log(2.0), Is.EqualTo(Math.Log(2.0)).Within(1).Ulps);
        Assert.That(PortableMath.Log(double.Epsilon), Is.EqualTo(Math.Log(double.Epsilon)).Within(1e-15).Percent);
        Assert.That(PortableMath.Log(double.MaxValue), Is.EqualTo(Math.Log(double.MaxValue)).Within(1e-15).Percent);
        for (int k = 1; k <= 60; k++)
        {
            double above = 1 + Math.ScaleB(1, -k), below = 1 - Math.ScaleB(1, -k - 1);
            Assert.That(RelativeError(PortableMath.Log(above), Math.Log(above)), Is.LessThan(RelativeTolerance), $"1 + 2^-{k}");
            Assert.That(RelativeError(PortableMath.Log(below), Math.Log(below)), Is.LessThan(RelativeTolerance), $"1 - 2^-{k + 1}");
        }
    }

    [Test]
    public void CosSin2PiMatchMathCosSin()
    {
        ulong seed = TestSeed.Fresh();
        var rng = new Random((int)seed);
        double worst = 0, worstAt = 0;
        for (int i = 0; i < Points; i++)
        {
            double u = rng.NextDouble();
            var (c, s) = PortableMath.CosSin2Pi(u);
            // The reference rounds 2πu first (up to 4.4e-16 absolute in the angle): allow that much absolute error.
            double err = Math.Max(Error(c, Math.Cos(2 * Math.PI * u)), Error(s, Math.Sin(2 * Math.PI * u)));
            if (err > worst) (worst, worstAt) = (err, u);
        }
        TestContext.Out.WriteLine($"seed {seed}: worst scaled error {worst:e2} at u = {worstAt:r}");
        Assert.That(worst, Is.LessThan(1), $"seed {seed}, at u = {worstAt:r}");

        static double Error(double got, double want) => Math.Abs(got - want) / (RelativeTolerance * Math.Abs(want) + 1e-15);
    }

    [TestCase(0.0)]
    [TestCase(0.25)]
    [TestCase(0.5)]
    [TestCase(0.75)]
    [TestCase(1.0)]
    public void CosSin2PiKeepRelativeAccuracyNearTheirZeros(double zero)
    {
        // Near u0 = k/4 the exact reduction leaves d = u − u0 (computed exactly here), and cos/sin(2πu) is ±cos/sin(2πd),
        // which Math.Cos/Math.Sin evaluate to full relative accuracy: no absolute floor is needed.
        ulong seed = TestSeed.Fresh();
        var rng = new Random((int)seed);
        int quadrant = (int)(zero * 4) & 3;
        for (int i = 0; i < 10_000; i++)
        {
            double d = Math.ScaleB(rng.NextDouble() - 0.5, -rng.Next(2, 40));
            double u = zero + d;
            if (u < 0 || u > 1 || u - zero != d) continue;
            var (c, s) = PortableMath.CosSin2Pi(u);
            double cd = Math.Cos(2 * Math.PI * d), sd = Math.Sin(2 * Math.PI * d);
            var (wantC, wantS) = quadrant switch
            {
                0 => (cd, sd),
                1 => (-sd, cd),
                2 => (-cd, -sd),
                _ => (sd, -cd),
            };
            Assert.That(RelativeError(c, wantC), Is.LessThan(RelativeTolerance), $"seed {seed}, cos at u = {u:r}");
            Assert.That(RelativeError(s, wantS), Is.LessThan(RelativeTolerance), $"seed {seed}, sin at u = {u:r}");
        }
    }

    [Test]
    public void CosSin2PiAreExactAtQuarterTurns()
    {
        Assert.That(PortableMath.CosSin2Pi(0.0), Is.EqualTo((1.0, 0.0)));
        Assert.That(PortableMath.CosSin2Pi(0.5), Is.EqualTo((-1.0, 0.0)));
        Assert.That(PortableMath.CosSin2Pi(0.25).Sin, Is.EqualTo(1.0));
        Assert.That(PortableMath.CosSin2Pi(0.75).Sin, Is.EqualTo(-1.0));
        Assert.That(PortableMath.CosSin2Pi(0.125).Cos, Is.EqualTo(Math.Sqrt(0.5)).Within(1).Ulps);
    }

    private static double RelativeError(double got, double want) =>
        got == want ? 0 : Math.Abs(got - want) / Math.Abs(want);
}
