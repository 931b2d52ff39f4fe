using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Embedding gather and its scatter-add gradient against loop references.</summary>
public class EmbeddingReferenceTests
{
    [Test]
    public void GatherAndScatterAdd([Values(DType.Float32, DType.Float64)] DType dtype, [Values(1, 6)] int count)
    {
        var rng = TestRng.Fresh();
        const int rows = 5, dim = 4;
        var weight = rng.Normal([rows, dim], dtype, requiresGrad: true);
        var idx = rng.Indices(count, rows);
        if (count > 1) idx[^1] = idx[0]; // at least one repeat
        var indices = Tensor.FromArray(idx, new Shape(count));

        var y = Embedding(weight, indices);
        Assert.That(y.Shape, Is.EqualTo(new Shape(count, dim)));
        var wv = weight.ToDoubleArray();
        var expected = new double[count * dim];
        for (int i = 0; i < count; i++)
        for (int j = 0; j < dim; j++) expected[i * dim + j] = wv[idx[i] * dim + j];
        Tolerance.AssertClose(y, expected, "Embedding forward", rng);

        var dy = rng.Normal([count, dim], dtype);
        y.Backward(dy);
        var dyv = dy.ToDoubleArray();
        var dw = new double[rows * dim];
        for (int i = 0; i < count; i++)
        for (int j = 0; j < dim; j++) dw[idx[i] * dim + j] += dyv[i * dim + j];
        Tolerance.AssertClose(weight.Grad!, dw, "Embedding backward", rng);
    }

    [Test]
    public void IndicesKeepTheirShape()
    {
        var rng = TestRng.Fresh();
        var weight = rng.Normal([10, 3]);
        var indices = Tensor.FromArray(rng.Indices(6, 10), new Shape(2, 3));
        Assert.That(Embedding(weight, indices).Shape, Is.EqualTo(new Shape(2, 3, 3)));
    }

    [Test]
    public void RejectsOutOfRangeAndNonIntegerIndices()
    {
        var weight = Tensor.Zeros(new Shape(4, 2), DType.Float64);
        Assert.Throws<IndexOutOfRangeException>(() => Embedding(weight, Tensor.FromArray(new[] { 1, 4 })));
        Assert.Throws<IndexOutOfRangeException>(() => Embedding(weight, Tensor.FromArray(new[] { -1 })));
        Assert.Throws<ArgumentException>(() => Embedding(weight, Tensor.FromArray(new[] { 1.0 })));
    }
}
