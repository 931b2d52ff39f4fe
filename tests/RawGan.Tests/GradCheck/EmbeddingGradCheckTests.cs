using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class EmbeddingGradCheckTests
{
    [Test]
    public void RepeatedIndicesAddUp()
    {
        var rng = TestRng.Fresh();
        var weight = rng.Normal([5, 3], requiresGrad: true);
        // Index 2 three times, 4 twice, 0 and 1 once, 3 never: checks the scatter-add and the untouched row.
        var idx = new[] { 2, 4, 2, 0, 2, 4, 1 };
        rng.Shuffle(idx);
        var indices = Tensor.FromArray(idx);
        GradientChecker.Check("Embedding", rng, xs => Embedding(xs[0], indices), [weight]);
        var unused = weight.Grad!.ToDoubleArray().AsSpan(3 * 3, 3).ToArray();
        Assert.That(unused, Is.All.EqualTo(0.0), "a row no index names gets no gradient");
    }

    [TestCase(10, 4, new[] { 2, 3 })]
    [TestCase(3, 1, new[] { 1 })]
    [TestCase(4, 6, new[] { 8 })]
    public void RandomIndices(int rows, int dim, int[] indexShape)
    {
        var rng = TestRng.Fresh();
        var weight = rng.Normal([rows, dim], requiresGrad: true);
        var indices = Tensor.FromArray(rng.Indices((int)new Shape(indexShape).Numel, rows), indexShape);
        GradientChecker.Check("Embedding", rng, xs => Embedding(xs[0], indices), [weight]);
    }
}
