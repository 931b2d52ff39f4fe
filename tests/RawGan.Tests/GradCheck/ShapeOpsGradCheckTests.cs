using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class ShapeOpsGradCheckTests
{
    [Test]
    public void Reshape_()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3, 4], requiresGrad: true);
        // Multiply by a fixed weight after the reshape so that element positions matter.
        var w = rng.Normal([4, 6]);
        GradientChecker.Check("Reshape", rng, xs => Mul(Reshape(xs[0], new Shape(4, 6)), w), [x]);
        GradientChecker.Check("Tensor.Reshape with an inferred size", rng, xs => Mul(xs[0].Reshape(-1, 6), w), [x]);
        GradientChecker.Check("Tensor.View", rng, xs => xs[0].View(24), [x]);
    }

    [TestCase(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]
    [TestCase(new[] { 1, 3, 1, 2 }, new[] { 3, 1, 0, 2 })]
    [TestCase(new[] { 3, 5 }, new[] { 1, 0 })]
    public void Permute_(int[] shape, int[] perm)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.Check("Permute", rng, xs => Permute(xs[0], perm), [x]);
    }

    [TestCase(new[] { 2, 3, 4 }, 0, 2)]
    [TestCase(new[] { 2, 3, 4, 5 }, -1, 1)]
    public void Transpose_(int[] shape, int a0, int a1)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.Check("Transpose", rng, xs => Transpose(xs[0], a0, a1), [x]);
    }

    [TestCase(new[] { 2, 5, 3 }, 1, 1, 3)]
    [TestCase(new[] { 4, 3 }, 0, 0, 1)]
    [TestCase(new[] { 2, 3, 7 }, -1, 4, 3)]
    public void Narrow_(int[] shape, int axis, int start, int length)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.Check("Narrow", rng, xs => Narrow(xs[0], axis, start, length), [x]);
    }

    [TestCase(new[] { 2, 6, 3 }, 1, new[] { 1, 3, 2 })]
    [TestCase(new[] { 5, 2 }, 0, new[] { 4, 1 })]
    [TestCase(new[] { 2, 3, 5 }, -1, new[] { 2, 2, 1 })]
    public void Split_(int[] shape, int axis, int[] sizes)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.CheckMany("Split", rng, xs => Split(xs[0], axis, sizes), [x]);
    }

    [TestCase(new[] { 2, 6, 3 }, 1, 3)]
    [TestCase(new[] { 4, 2 }, 0, 4)]
    public void Chunk_(int[] shape, int axis, int chunks)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.CheckMany("Chunk", rng, xs => Chunk(xs[0], axis, chunks), [x]);
    }

    [Test]
    public void PartOfASplitLeavesTheRestWithZeroGradient()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 5], requiresGrad: true);
        GradientChecker.Check("Split, first part only", rng, xs => Split(xs[0], 1, 2, 3)[0], [x]);
        var g = x.Grad!.ToDoubleArray();
        Assert.That(new[] { g[2], g[3], g[4], g[7], g[8], g[9] }, Is.All.EqualTo(0.0));
    }

    [TestCase(1, new[] { 2, 1, 3 }, new[] { 2, 4, 3 }, new[] { 2, 2, 3 })]
    [TestCase(0, new[] { 1, 3 }, new[] { 2, 3 }, new[] { 3, 3 })]
    [TestCase(-1, new[] { 2, 2, 1 }, new[] { 2, 2, 3 }, new[] { 2, 2, 2 })]
    public void Cat_(int axis, int[] s0, int[] s1, int[] s2)
    {
        var rng = TestRng.Fresh();
        var a = rng.Normal(s0, requiresGrad: true);
        var b = rng.Normal(s1, requiresGrad: true);
        var c = rng.Normal(s2, requiresGrad: true);
        GradientChecker.Check("Cat", rng, xs => Cat(xs, axis), [a, b, c]);
    }

    [Test]
    public void CatWithOneConstantPart()
    {
        var rng = TestRng.Fresh();
        var a = rng.Normal([2, 3], requiresGrad: true);
        var b = rng.Normal([2, 2]);
        GradientChecker.Check("Cat, constant part", rng, xs => Cat(xs, 1), [a, b]);
        Assert.That(b.Grad, Is.Null);
    }
}
