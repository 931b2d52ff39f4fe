using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Autograd;

/// <summary>How the tape records, accumulates and refuses.</summary>
public class TapeTests
{
    [Test]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3], requiresGrad: true);
        var xv = x.ToDoubleArray();
        Sum(Mul(x, x)).Backward();
        Tolerance.AssertClose(x.Grad!, xv.Select(v => 2 * v).ToArray(), "after one backward", rng);
        Sum(MulScalar(x, 3)).Backward(); // a second graph
        Tolerance.AssertClose(x.Grad!, xv.Select(v => 2 * v + 3).ToArray(), "after two graphs", rng);

        var y = Sum(Tanh(x));
        y.Backward(retainGraph: true);
        y.Backward(); // the same graph twice: the first pass kept it
        Tolerance.AssertClose(x.Grad!, xv.Select(v => 2 * v + 3 + 2 * (1 - Math.Pow(Math.Tanh(v), 2))).ToArray(), "after the same graph twice", rng);
        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contains("retainGraph"),
                    "a graph freed by its backward pass cannot run again");
    }

    [Test]
    public void ATensorUsedTwiceGetsTheSumOfBothPaths()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([4], requiresGrad: true);
        var xv = x.ToDoubleArray();
        Sum(Add(Mul(x, x), MulScalar(x, 5))).Backward();
        Tolerance.AssertClose(x.Grad!, xv.Select(v => 2 * v + 5).ToArray(), "x² + 5x", rng);

        // A diamond through an intermediate: h = tanh(x), y = h·h + 3h.
        x.Grad = null;
        var h = Tanh(x);
        Sum(Add(Mul(h, h), MulScalar(h, 3))).Backward();
        Tolerance.AssertClose(x.Grad!, xv.Select(v => (2 * Math.Tanh(v) + 3) * (1 - Math.Pow(Math.Tanh(v), 2))).ToArray(), "diamond", rng);
        Assert.That(h.Grad, Is.Null, "intermediate tensors keep no gradient");
    }

    [Test]
    public void NoGradRecordsNothing()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3], requiresGrad: true);
        Tensor y, z;
        using (GradMode.Disable())
        {
            Assert.That(GradMode.IsEnabled, Is.False);
            y = Mul(x, x);
            using (GradMode.Disable()) z = Exp(x);
            Assert.That(GradMode.IsEnabled, Is.False, "an inner scope's end does not re-enable recording");
        }
        Assert.That(GradMode.IsEnabled, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(y.RequiresGrad, Is.False);
            Assert.That(y.IsLeaf, Is.True);
            Assert.That(z.RequiresGrad, Is.False);
        });
        Assert.Throws<InvalidOperationException>(() => Sum(y).Backward());
        Assert.That(Mul(x, x).RequiresGrad, Is.True, "recording resumes after the scope");
    }

    [Test]
    public void DetachCutsTheGraph()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([5], requiresGrad: true);
        var xv = x.ToDoubleArray();
        var d = x.Detach();
        Assert.That(d.RequiresGrad, Is.False);
        Assert.That(d.Storage, Is.SameAs(x.Storage), "a detached tensor shares the data");
        Sum(Mul(d, x)).Backward();
        Tolerance.AssertClose(x.Grad!, xv, "d(detach(x)·x)/dx = x", rng);
        Assert.That(d.Grad, Is.Null);

        var t = Tanh(x).Detach();
        Assert.That(t.IsLeaf, Is.True);
        Assert.Throws<InvalidOperationException>(() => Sum(t).Backward());
    }

    [Test]
    public void BackwardOnANonScalarWithoutAGradientThrows()
    {
        var x = Tensor.Ones(new Shape(2, 2), DType.Float64, requiresGrad: true);
        var ex = Assert.Throws<InvalidOperationException>(() => MulScalar(x, 2).Backward());
        Assert.That(ex!.Message, Does.Contain("scalar").And.Contain("(2, 2)"));
    }

    [Test]
    public void BackwardOnATensorThatDoesNotRequireGradThrows()
    {
        var x = Tensor.Ones(new Shape(3), DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => Sum(MulScalar(x, 2)).Backward());
        Assert.That(ex!.Message, Does.Contain("requires grad"));
    }

    [Test]
    public void BackwardWithAGivenOutputGradient()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3], requiresGrad: true);
        var w = rng.Normal([2, 3]);
        var dy = rng.Normal([2, 3]);
        Mul(x, w).Backward(dy);
        var expected = dy.ToDoubleArray().Zip(w.ToDoubleArray(), (g, v) => g * v).ToArray();
        Tolerance.AssertClose(x.Grad!, expected, "dy ⊙ w", rng);
        Assert.That(w.Grad, Is.Null, "a constant gets no gradient");
        Assert.Throws<ArgumentException>(() => Mul(x, w).Backward(rng.Normal([3, 2])), "gradient of the wrong shape");
    }

    [Test]
    public void ScalarLeafBackwardSeedsWithOne()
    {
        var x = Tensor.Full(new Shape(), 2.0, DType.Float64).RequireGrad();
        x.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(1.0));
    }

    [Test]
    public void FloatGradientsStayFloat()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([3], DType.Float32, requiresGrad: true);
        Sum(Mul(x, x)).Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void LeafGradientsAreNotSharedWithOtherTensors()
    {
        // a + b hands the same output gradient to both operands; a leaf's Grad must still be its own, so that
        // changing one in place (AddOrthogonalRegularization, an optimiser) cannot change another.
        var rng = TestRng.Fresh();
        var a = rng.Normal([2, 3], requiresGrad: true);
        var b = rng.Normal([2, 3], requiresGrad: true);
        var dy = rng.Normal([2, 3]);
        Add(a, b).Backward(dy);
        var bBefore = b.Grad!.ToDoubleArray();
        var dyBefore = dy.ToDoubleArray();
        AddOrthogonalRegularization(a, 1.0);
        Assert.That(b.Grad!.ToDoubleArray(), Is.EqualTo(bBefore), "b's gradient changed with a's");
        Assert.That(dy.ToDoubleArray(), Is.EqualTo(dyBefore), "the caller's output gradient changed");
    }
}
