using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

/// <summary>
/// Gradients of the fused conditional batch norm + ReLU with respect to x, gain and bias. Central differences
/// are meaningless within a step of the ReLU's kink, so inputs are drawn until every pre-activation is at
/// least <see cref="KinkMargin"/> from zero.
/// </summary>
[Category("GradCheck")]
public class ConditionalBatchNormReluGradCheckTests
{
    private const double KinkMargin = 1e-3;
    private const int MaxDraws = 50;
    private static readonly int[][] Shapes = [[4, 3, 2, 3], [2, 2, 3, 5], [1, 3, 4, 4], [5, 4], [3, 2, 7]];

    [Test]
    public void TrainingWithBatchStatistics([ValueSource(nameof(Shapes))] int[] shape)
    {
        var rng = TestRng.Fresh();
        var (x, gain, bias) = DrawClearOfKinks(rng, shape, null, null, training: true);
        GradientChecker.Check("ConditionalBatchNormRelu training", rng,
            xs => ConditionalBatchNormRelu(xs[0], null, null, xs[1], xs[2], training: true), [x, gain, bias]);
    }

    [Test]
    public void EvalWithRunningStatistics([ValueSource(nameof(Shapes))] int[] shape)
    {
        var rng = TestRng.Fresh();
        int c = shape[1];
        var runningMean = rng.Normal([c]);
        var runningVar = rng.Uniform([c], 0.3, 2.0);
        var (x, gain, bias) = DrawClearOfKinks(rng, shape, runningMean, runningVar, training: false);
        GradientChecker.Check("ConditionalBatchNormRelu eval", rng,
            xs => ConditionalBatchNormRelu(xs[0], runningMean, runningVar, xs[1], xs[2], training: false), [x, gain, bias]);
    }

    // x, gain and bias (float64, requiring grad) whose pre-activations all clear the kink by the margin.
    private static (Tensor X, Tensor Gain, Tensor Bias) DrawClearOfKinks(TestRng rng, int[] shape, Tensor? runningMean, Tensor? runningVar, bool training)
    {
        int n = shape[0], c = shape[1], spatial = (int)(Nd.Numel(shape) / (n * c));
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            var x = rng.Normal(shape, requiresGrad: true, std: 1.5);
            var gain = rng.Normal([n, c], requiresGrad: true, std: 0.5);
            var bias = rng.Normal([n, c], requiresGrad: true);
            using (GradMode.Disable())
            {
                var normalized = Reshape(BatchNorm(x, runningMean?.Clone(), runningVar?.Clone(), null, null, training), n, c, spatial);
                var z = Add(Mul(normalized, AddScalar(Reshape(gain, n, c, 1), 1.0)), Reshape(bias, n, c, 1));
                if (z.ToDoubleArray().All(v => Math.Abs(v) >= KinkMargin)) return (x, gain, bias);
            }
        }
        throw new InvalidOperationException($"No draw in {MaxDraws} cleared the ReLU kink by {KinkMargin}; {rng}");
    }
}
