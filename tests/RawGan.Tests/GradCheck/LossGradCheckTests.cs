using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class LossGradCheckTests
{
    [TestCase(8, 6)]
    [TestCase(1, 1)]
    [TestCase(5, 3)]
    public void HingeLossDiscriminator_(int realCount, int fakeCount)
    {
        var rng = TestRng.Fresh();
        // Scores clear of the kinks at ±1, half on each side of them (so both the active and the clipped
        // branch of each relu are exercised; with one score, the active one).
        var dReal = TestRng.Make(AroundKink(rng, realCount, kink: 1, activeBelow: true), [realCount, 1], requiresGrad: true);
        var dFake = TestRng.Make(AroundKink(rng, fakeCount, kink: -1, activeBelow: false), [fakeCount], requiresGrad: true);
        GradientChecker.CheckMany("HingeLossDiscriminator", rng, xs =>
        {
            var (real, fake) = HingeLossDiscriminator(xs[0], xs[1]);
            return [real, fake];
        }, [dReal, dFake]);
    }

    private static double[] AroundKink(TestRng rng, int count, double kink, bool activeBelow)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++)
        {
            bool active = i % 2 == 0;
            double side = active == activeBelow ? -1 : 1;
            v[i] = kink + side * rng.Uniform(0.05, 1.5);
        }
        rng.Shuffle(v);
        return v;
    }

    [TestCase(8)]
    [TestCase(1)]
    public void HingeLossGenerator_(int count)
    {
        var rng = TestRng.Fresh();
        var dFake = rng.Normal([count], requiresGrad: true);
        GradientChecker.Check("HingeLossGenerator", rng, xs => HingeLossGenerator(xs[0]), [dFake]);
    }

    [TestCase(1, 5)]
    [TestCase(4, 10)]
    public void LogSoftmax_(int rows, int cols)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([rows, cols], requiresGrad: true);
        GradientChecker.Check("LogSoftmax", rng, xs => LogSoftmax(xs[0]), [x]);
    }

    [Test]
    public void LogSoftmaxRank3()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3, 4], requiresGrad: true);
        GradientChecker.Check("LogSoftmax", rng, xs => LogSoftmax(xs[0]), [x]);
    }

    [TestCase(1, 3)]
    [TestCase(6, 10)]
    public void CrossEntropy_(int n, int k)
    {
        var rng = TestRng.Fresh();
        var logits = rng.Normal([n, k], requiresGrad: true);
        var labels = RawGan.Engine.Tensor.FromArray(Enumerable.Range(0, n).Select(i => (i * 7 + 3) % k).ToArray());
        GradientChecker.Check("CrossEntropy", rng, xs => CrossEntropy(xs[0], labels), [logits]);
    }
}
