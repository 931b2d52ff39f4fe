using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class ReductionGradCheckTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var cases = new (int[] Shape, int[]? Axes)[]
        {
            ([2, 3, 4, 5], [1]),
            ([2, 3, 4, 5], [0, 2, 3]),
            ([2, 3, 4, 5], [-1]),
            ([3, 5, 2], [0, 2]),
            ([1, 7], [1]),
            ([2, 3, 4], null),
            ([5], [0]),
        };
        foreach (var (shape, axes) in cases)
        foreach (bool keepDim in new[] { false, true })
        foreach (bool mean in new[] { false, true })
            yield return new TestCaseData(shape, axes, keepDim, mean).SetArgDisplayNames(
                $"({string.Join(",", shape)})", axes is null ? "all" : $"[{string.Join(",", axes)}]", keepDim ? "keepDim" : "drop", mean ? "Mean" : "Sum");
    }

    [TestCaseSource(nameof(Cases))]
    public void SumAndMeanOverAxes(int[] shape, int[]? axes, bool keepDim, bool mean)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.Check(mean ? "Mean" : "Sum", rng, xs => mean ? Mean(xs[0], axes, keepDim) : Sum(xs[0], axes, keepDim), [x]);
    }

    [TestCase(new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 1, 9 })]
    [TestCase(new[] { 6 })]
    [TestCase(new[] { 2, 16, 4 })]
    public void SoftmaxOverTheLastAxis(int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true, std: 2.0);
        GradientChecker.Check("Softmax", rng, xs => Softmax(xs[0]), [x]);
    }
}
