using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Elementwise ops against nested-loop references, float32 and float64.</summary>
public class ElementwiseReferenceTests
{
    private static IEnumerable<TestCaseData> BinaryCases() =>
        from dtype in new[] { DType.Float32, DType.Float64 }
        from op in new[] { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div }
        from pair in BroadcastShapes.Pairs
        select new TestCaseData(dtype, op, pair.A, pair.B).SetArgDisplayNames(dtype.ToString(), op.ToString(), new Shape(pair.A).ToString(), new Shape(pair.B).ToString());

    [TestCaseSource(nameof(BinaryCases))]
    public void BinaryBroadcasting(DType dtype, BinaryOp op, int[] aShape, int[] bShape)
    {
        var rng = TestRng.Fresh();
        var a = rng.Normal(aShape, dtype);
        var b = rng.AwayFromZero(bShape, 0.5, 2.0, dtype);
        var y = op switch { BinaryOp.Add => Add(a, b), BinaryOp.Sub => Sub(a, b), BinaryOp.Mul => Mul(a, b), _ => Div(a, b) };

        // The broadcast shape: align trailing dimensions; a size-1 dimension stretches.
        int rank = Math.Max(aShape.Length, bShape.Length);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++) outShape[d] = Math.Max(DimAligned(aShape, d, rank), DimAligned(bShape, d, rank));
        Assert.That(y.Shape.ToArray(), Is.EqualTo(outShape));

        var av = a.ToDoubleArray();
        var bv = b.ToDoubleArray();
        var expected = new double[Nd.Numel(outShape)];
        for (long i = 0; i < expected.Length; i++)
        {
            var idx = Nd.Unravel(i, outShape);
            double x = av[SourceIndex(idx, aShape)], z = bv[SourceIndex(idx, bShape)];
            expected[i] = op switch { BinaryOp.Add => x + z, BinaryOp.Sub => x - z, BinaryOp.Mul => x * z, _ => x / z };
        }
        Tolerance.AssertClose(y, expected, $"{op}", rng);
    }

    private static int DimAligned(int[] shape, int d, int rank) => d - (rank - shape.Length) >= 0 ? shape[d - (rank - shape.Length)] : 1;

    /// <summary>The flat index in a broadcast operand that output index <paramref name="idx"/> reads.</summary>
    private static long SourceIndex(int[] idx, int[] shape)
    {
        int off = idx.Length - shape.Length;
        long flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
        return flat;
    }

    [Test]
    public void UnaryOps([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        int[] shape = [3, 5, 7];
        var x = rng.Normal(shape, dtype, std: 2.0);
        var xv = x.ToDoubleArray();
        Tolerance.AssertClose(Relu(x), xv.Select(v => v > 0 ? v : 0).ToArray(), "Relu", rng);
        Tolerance.AssertClose(Tanh(x), xv.Select(v => Math.Tanh(v)).ToArray(), "Tanh", rng);
        Tolerance.AssertClose(Exp(x), xv.Select(v => Math.Exp(v)).ToArray(), "Exp", rng);
        var p = rng.Uniform(shape, 0.01, 10, dtype);
        Tolerance.AssertClose(Log(p), p.ToDoubleArray().Select(v => Math.Log(v)).ToArray(), "Log", rng);
    }

    [Test]
    public void ScalarOps([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([4, 9], dtype);
        var xv = x.ToDoubleArray();
        double scale = rng.Uniform(-3, 3), shift = rng.Uniform(-3, 3);
        Tolerance.AssertClose(Affine(x, scale, shift), xv.Select(v => scale * v + shift).ToArray(), "Affine", rng);
        Tolerance.AssertClose(AddScalar(x, shift), xv.Select(v => v + shift).ToArray(), "AddScalar", rng);
        Tolerance.AssertClose(MulScalar(x, scale), xv.Select(v => v * scale).ToArray(), "MulScalar", rng);
        Tolerance.AssertClose(Neg(x), xv.Select(v => -v).ToArray(), "Neg", rng);
        Tolerance.AssertClose(x / 4.0 - 1.0, xv.Select(v => v / 4 - 1).ToArray(), "operators", rng);
    }

    [Test]
    public void ExpandAndSumTo([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 1], dtype);
        var big = Expand(x, new Shape(2, 3, 4));
        var xv = x.ToDoubleArray();
        var expected = new double[24];
        for (int i = 0; i < 24; i++) expected[i] = xv[i / 4 % 3];
        Tolerance.AssertClose(big, expected, "Expand", rng);

        var g = rng.Normal([2, 3, 4], dtype);
        var gv = g.ToDoubleArray();
        var sum = SumTo(g, new Shape(3, 1));
        Assert.That(sum.Shape, Is.EqualTo(new Shape(3, 1)));
        var sums = new double[3];
        for (int i = 0; i < 24; i++) sums[i / 4 % 3] += gv[i];
        Tolerance.AssertClose(sum, sums, "SumTo", rng);
    }
}
