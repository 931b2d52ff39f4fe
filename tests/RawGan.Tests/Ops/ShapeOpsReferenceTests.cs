using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Cat, split, chunk, narrow, permute, transpose and reshape against index-by-index references.</summary>
public class ShapeOpsReferenceTests
{
    [Test]
    public void Permute_([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        int[] shape = [2, 3, 4, 5], perm = [2, 0, 3, 1];
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        var y = Permute(x, perm);
        var outShape = perm.Select(p => shape[p]).ToArray();
        Assert.That(y.Shape.ToArray(), Is.EqualTo(outShape));
        var expected = new double[xv.Length];
        for (long i = 0; i < expected.Length; i++)
        {
            var o = Nd.Unravel(i, outShape);
            var src = new int[shape.Length];
            for (int d = 0; d < perm.Length; d++) src[perm[d]] = o[d];
            expected[i] = xv[Nd.Ravel(src, shape)];
        }
        Assert.That(y.ToDoubleArray(), Is.EqualTo(expected), rng.ToString());
        Assert.That(Transpose(x, 1, 3).ToDoubleArray(), Is.EqualTo(Permute(x, 0, 3, 2, 1).ToDoubleArray()));
    }

    [Test]
    public void NarrowAndSplit([Values(DType.Float32, DType.Float64)] DType dtype, [Values(0, 1, 2)] int axis)
    {
        var rng = TestRng.Fresh();
        int[] shape = [4, 5, 6];
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        int size = shape[axis];
        int[] sizes = [1, size - 3, 2];
        var parts = Split(x, axis, sizes);
        int start = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            var partShape = (int[])shape.Clone();
            partShape[axis] = sizes[p];
            Assert.That(parts[p].Shape.ToArray(), Is.EqualTo(partShape));
            var expected = new double[Nd.Numel(partShape)];
            for (long i = 0; i < expected.Length; i++)
            {
                var idx = Nd.Unravel(i, partShape);
                idx[axis] += start;
                expected[i] = xv[Nd.Ravel(idx, shape)];
            }
            Assert.That(parts[p].ToDoubleArray(), Is.EqualTo(expected), $"part {p}; {rng}");
            Assert.That(Narrow(x, axis, start, sizes[p]).ToDoubleArray(), Is.EqualTo(expected), $"narrow {p}; {rng}");
            start += sizes[p];
        }
    }

    [Test]
    public void CatIsTheInverseOfSplit([Values(DType.Float32, DType.Float64)] DType dtype, [Values(0, 1, -1)] int axis)
    {
        var rng = TestRng.Fresh();
        int[] baseShape = [2, 3, 4];
        int a = axis < 0 ? axis + 3 : axis;
        int[] sizes = [1, 3, 2];
        var parts = sizes.Select(s => { var sh = (int[])baseShape.Clone(); sh[a] = s; return rng.Normal(sh, dtype); }).ToArray();
        var y = Cat(parts, axis);
        var outShape = (int[])baseShape.Clone();
        outShape[a] = sizes.Sum();
        Assert.That(y.Shape.ToArray(), Is.EqualTo(outShape));
        var yv = y.ToDoubleArray();
        var expected = new double[yv.Length];
        for (long i = 0; i < expected.Length; i++)
        {
            var idx = Nd.Unravel(i, outShape);
            int p = 0, k = idx[a];
            while (k >= sizes[p]) k -= sizes[p++];
            var local = (int[])idx.Clone();
            local[a] = k;
            expected[i] = parts[p].ToDoubleArray()[Nd.Ravel(local, parts[p].Shape.ToArray())];
        }
        Assert.That(yv, Is.EqualTo(expected), rng.ToString());
        var back = Split(y, axis, sizes);
        for (int p = 0; p < 3; p++) Assert.That(back[p].ToDoubleArray(), Is.EqualTo(parts[p].ToDoubleArray()));
    }

    [Test]
    public void ChunkIsAnEqualSplit()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 6, 3]);
        var chunks = Chunk(x, 1, 3);
        var split = Split(x, 1, 2, 2, 2);
        for (int i = 0; i < 3; i++) Assert.That(chunks[i].ToDoubleArray(), Is.EqualTo(split[i].ToDoubleArray()));
        Assert.Throws<ArgumentException>(() => Chunk(x, 1, 4));
    }

    [Test]
    public void ReshapeIsAViewThatKeepsTheOrder()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3, 4]);
        var y = x.Reshape(4, -1);
        Assert.That(y.Shape, Is.EqualTo(new Shape(4, 6)));
        Assert.That(y.Storage, Is.SameAs(x.Storage), "a reshape shares storage");
        Assert.That(y.ToDoubleArray(), Is.EqualTo(x.ToDoubleArray()));
        Assert.That(x.View(-1).Shape, Is.EqualTo(new Shape(24)));
        Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
    }
}
