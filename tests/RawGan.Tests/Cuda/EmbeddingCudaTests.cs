using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

public class EmbeddingCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // (rows, dim, index shape): one row and one index, dims off the block size, 2-d index tensors, and more
    // indices than rows, so repeated indices must add up in the gradient.
    private static readonly (int Rows, int Dim, Shape Indices)[] Cases =
    [
        (1, 1, [1]),
        (10, 128, [6]),
        (1000, 7, [3, 5]),
        (50, 300, [257]),
        (3, 33, [4, 64]),
    ];

    [Test]
    public void GatherAndScatterAddMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var (rows, dim, indexShape) in Cases)
        {
            var (w, gw) = Pair([rows, dim], dtype, rng);
            w.RequiresGrad = gw.RequiresGrad = true;
            var ids = new int[indexShape.Numel];
            for (int i = 0; i < ids.Length; i++) ids[i] = rng.Next(rows);
            var idx = Tensor.FromArray(ids, indexShape);
            var y = Ops.Embedding(w, idx);
            var gy = Ops.Embedding(gw, idx.To(Gpu));
            string what = $"embedding ({rows}, {dim}) by {indexShape}";
            AssertClose(gy, y, what + " forward");
            var (r, gr) = Pair(y.Shape, dtype, rng);
            Ops.Sum(Ops.Mul(y, r)).Backward();
            Ops.Sum(Ops.Mul(gy, gr)).Backward();
            AssertClose(gw.Grad!, w.Grad!, what + " gradient");
        }
    }

    [Test]
    public void OutOfRangeIndicesReadZerosAndDropTheirGradient([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        const int rows = 4, dim = 5;
        var (_, gw) = Pair([rows, dim], dtype, rng);
        gw.RequiresGrad = true;
        var idx = Tensor.FromArray(new[] { 2, rows, -1, 2 }, new Shape(4)).To(Gpu);
        var y = Ops.Embedding(gw, idx);
        var values = y.ToDoubleArray();
        var weights = gw.ToDoubleArray();
        for (int k = 0; k < dim; k++)
        {
            Assert.That(values[k], Is.EqualTo(weights[2 * dim + k]), "in-range row");
            Assert.That(values[dim + k], Is.Zero, "index = rows");
            Assert.That(values[2 * dim + k], Is.Zero, "index -1");
        }
        Ops.Sum(y).Backward();
        var grad = gw.Grad!.ToDoubleArray();
        for (int i = 0; i < grad.Length; i++) Assert.That(grad[i], Is.EqualTo(i / dim == 2 ? 2 : 0), $"gradient element {i}");
    }
}
