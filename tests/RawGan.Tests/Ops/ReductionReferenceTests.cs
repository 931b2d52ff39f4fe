using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Sum, mean and softmax against nested-loop references, float32 and float64.</summary>
public class ReductionReferenceTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var cases = new (int[] Shape, int[]? Axes)[]
        {
            ([2, 3, 4, 5], [1]),
            ([2, 3, 4, 5], [0, 2, 3]),
            ([2, 3, 4, 5], [-1]),
            ([2, 3, 4, 5], [0, -1]),
            ([3, 5, 2], [0, 2]),
            ([1, 7], [1]),
            ([4, 1, 3], [1]),
            ([2, 3, 4], null),
            ([33, 65], [0]),
            ([9], [0]),
        };
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        foreach (var (shape, axes) in cases)
        foreach (bool keepDim in new[] { false, true })
            yield return new TestCaseData(dtype, shape, axes, keepDim).SetArgDisplayNames(
                dtype.ToString(), $"({string.Join(",", shape)})", axes is null ? "all" : $"[{string.Join(",", axes)}]", keepDim ? "keepDim" : "drop");
    }

    [TestCaseSource(nameof(Cases))]
    public void SumAndMeanOverAxes(DType dtype, int[] shape, int[]? axes, bool keepDim)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        var reduced = new bool[shape.Length];
        foreach (var a in axes ?? Enumerable.Range(0, shape.Length).ToArray()) reduced[a < 0 ? a + shape.Length : a] = true;

        var kept = shape.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        var sums = new double[Nd.Numel(kept)];
        long count = shape.Where((_, i) => reduced[i]).Aggregate(1L, (p, d) => p * d);
        for (long i = 0; i < xv.Length; i++)
        {
            var idx = Nd.Unravel(i, shape);
            for (int d = 0; d < idx.Length; d++) if (reduced[d]) idx[d] = 0;
            sums[Nd.Ravel(idx, kept)] += xv[i];
        }
        var outShape = keepDim ? kept : shape.Where((_, i) => !reduced[i]).ToArray();

        var sum = Sum(x, axes, keepDim);
        var mean = Mean(x, axes, keepDim);
        Assert.That(sum.Shape.ToArray(), Is.EqualTo(outShape));
        Assert.That(mean.Shape.ToArray(), Is.EqualTo(outShape));
        Tolerance.AssertClose(sum, sums, "Sum", rng, scale: 4);
        Tolerance.AssertClose(mean, sums.Select(s => s / count).ToArray(), "Mean", rng, scale: 4);
    }

    [TestCase(DType.Float32, new[] { 2, 3, 4, 5 }, 0.0)]
    [TestCase(DType.Float64, new[] { 2, 3, 4, 5 }, 0.0)]
    [TestCase(DType.Float32, new[] { 1, 9 }, 0.0)]
    [TestCase(DType.Float64, new[] { 6 }, 0.0)]
    [TestCase(DType.Float32, new[] { 4, 7 }, 1000.0)]
    [TestCase(DType.Float64, new[] { 4, 7 }, 1000.0)]
    public void SoftmaxOverTheLastAxis(DType dtype, int[] shape, double offset)
    {
        // With offset 1000, exp overflows unless the row maximum is subtracted first.
        var rng = TestRng.Fresh();
        var x = TestRng.Make(rng.NormalArray(Nd.Numel(shape), 3.0).Select(v => v + offset).ToArray(), shape, dtype);
        var xv = x.ToDoubleArray();
        int cols = shape[^1];
        var expected = new double[xv.Length];
        for (int r = 0; r < xv.Length / cols; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < cols; j++) max = Math.Max(max, xv[r * cols + j]);
            for (int j = 0; j < cols; j++) sum += Math.Exp(xv[r * cols + j] - max);
            for (int j = 0; j < cols; j++) expected[r * cols + j] = Math.Exp(xv[r * cols + j] - max) / sum;
        }
        Tolerance.AssertClose(Softmax(x), expected, "Softmax", rng);
    }
}
