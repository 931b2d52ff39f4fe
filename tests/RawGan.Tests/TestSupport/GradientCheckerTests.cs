using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Tests.TestSupport;

/// <summary>The checker itself must be able to fail: a deliberately wrong backward has to be caught.</summary>
[Category("GradCheck")]
public class GradientCheckerTests
{
    [Test]
    public void FlagsAWrongBackward()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 4], requiresGrad: true);
        string problems = GradientChecker.FindProblems(rng, xs => [SquareWithBackward(xs[0], scale: 1.9)], [x],
            GradientChecker.DefaultRelative, GradientChecker.DefaultAbsolute, GradientChecker.DefaultStep, out _);
        Assert.That(problems, Does.Contain("analytic"));
    }

    [Test]
    public void AcceptsTheRightBackward()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 4], requiresGrad: true);
        GradientChecker.Check("x²", rng, xs => SquareWithBackward(xs[0], scale: 2.0), [x]);
    }

    [Test]
    public void FlagsAGradientThatNeverArrives()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3], requiresGrad: true);
        var unused = rng.Normal([2], requiresGrad: true);
        string problems = GradientChecker.FindProblems(rng, xs => [Engine.Ops.Tanh(xs[0])], [x, unused],
            GradientChecker.DefaultRelative, GradientChecker.DefaultAbsolute, GradientChecker.DefaultStep, out _);
        Assert.That(problems, Does.Contain("input 1").And.Contain("missing"));
    }

    [Test]
    public void CentralDifferenceOfAKnownFunction()
    {
        var g = GradientChecker.CentralDifference(v => v[0] * v[0] * v[1] + Math.Sin(v[1]), [1.5, -0.5]);
        Assert.That(g[0], Is.EqualTo(2 * 1.5 * -0.5).Within(1e-8));
        Assert.That(g[1], Is.EqualTo(1.5 * 1.5 + Math.Cos(-0.5)).Within(1e-8));
    }

    /// <summary>x² recorded with backward dy·scale·x: right for scale 2, wrong otherwise.</summary>
    private static Tensor SquareWithBackward(Tensor x, double scale)
    {
        Tensor y;
        using (GradMode.Disable()) y = Engine.Ops.Mul(x, x);
        return Tape.Record("square", y, [x], dy => [Engine.Ops.MulScalar(Engine.Ops.Mul(dy, x), scale)]);
    }
}
