using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class BatchNormGradCheckTests
{
    private static readonly int[][] Shapes = [[4, 3, 2, 3], [2, 2, 3, 5], [1, 3, 4, 4], [5, 4], [3, 2, 7]];

    [Test]
    public void TrainingWithBatchStatistics([ValueSource(nameof(Shapes))] int[] shape, [Values] bool affine)
    {
        var rng = TestRng.Fresh();
        int c = shape[1];
        var x = rng.Normal(shape, requiresGrad: true, std: 1.5);
        var gamma = rng.Uniform([c], 0.5, 1.5, requiresGrad: true);
        var beta = rng.Normal([c], requiresGrad: true);
        if (affine)
            GradientChecker.Check("BatchNorm training affine", rng, xs => BatchNorm(xs[0], null, null, xs[1], xs[2], training: true), [x, gamma, beta]);
        else
            GradientChecker.Check("BatchNorm training", rng, xs => BatchNorm(xs[0], null, null, null, null, training: true), [x]);
    }

    [Test]
    public void TrainingWithRunningStatisticsGiven()
    {
        // The running buffers change on every call, but the training output must not depend on them.
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 2, 2, 2], requiresGrad: true);
        var gamma = rng.Uniform([2], 0.5, 1.5, requiresGrad: true);
        var runningMean = rng.Normal([2]);
        var runningVar = rng.Uniform([2], 0.5, 2.0);
        GradientChecker.Check("BatchNorm training, running statistics updated", rng,
            xs => BatchNorm(xs[0], runningMean, runningVar, xs[1], null, training: true, momentum: 0.3), [x, gamma]);
    }

    [Test]
    public void EvalWithRunningStatistics([ValueSource(nameof(Shapes))] int[] shape, [Values] bool affine)
    {
        var rng = TestRng.Fresh();
        int c = shape[1];
        var x = rng.Normal(shape, requiresGrad: true);
        var runningMean = rng.Normal([c]);
        var runningVar = rng.Uniform([c], 0.3, 2.0);
        var gamma = rng.Uniform([c], 0.5, 1.5, requiresGrad: true);
        var beta = rng.Normal([c], requiresGrad: true);
        if (affine)
            GradientChecker.Check("BatchNorm eval affine", rng, xs => BatchNorm(xs[0], runningMean, runningVar, xs[1], xs[2], training: false), [x, gamma, beta]);
        else
            GradientChecker.Check("BatchNorm eval", rng, xs => BatchNorm(xs[0], runningMean, runningVar, null, null, training: false), [x]);
    }

    [Test]
    public void GammaOnlyAndBetaOnly()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 2, 3], requiresGrad: true);
        var gamma = rng.Uniform([2], 0.5, 1.5, requiresGrad: true);
        var beta = rng.Normal([2], requiresGrad: true);
        GradientChecker.Check("BatchNorm gamma only", rng, xs => BatchNorm(xs[0], null, null, xs[1], null, training: true), [x, gamma]);
        GradientChecker.Check("BatchNorm beta only", rng, xs => BatchNorm(xs[0], null, null, null, xs[1], training: true), [x, beta]);
    }

    [Test]
    public void RunningStatisticsAreNotDifferentiated()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 2, 3], requiresGrad: true);
        var runningMean = rng.Normal([2]);
        var runningVar = rng.Uniform([2], 0.5, 2.0);
        var y = BatchNorm(x, runningMean, runningVar, null, null, training: false);
        Sum(y).Backward();
        Assert.Multiple(() =>
        {
            Assert.That(x.Grad, Is.Not.Null);
            Assert.That(runningMean.Grad, Is.Null);
            Assert.That(runningVar.Grad, Is.Null);
            Assert.That(runningMean.RequiresGrad || runningVar.RequiresGrad, Is.False);
        });
    }
}
