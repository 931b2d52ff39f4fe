using RawGan.Engine;

namespace RawGan.Tests.Memory;

using Ops = RawGan.Engine.Ops;

public class TensorScopeTests
{
    [Test]
    public void TemporariesAreDisposedAndKeptTensorsAndLeafGradientsSurvive()
    {
        var w = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, new Shape(2, 2), requiresGrad: true);
        Tensor kept, temporary;
        using (var scope = new TensorScope())
        {
            var x = Tensor.FromArray(new double[] { 1, -1 }, new Shape(1, 2));
            temporary = Ops.Relu(Ops.MatMul(x, w));
            var loss = Ops.Sum(temporary);
            kept = TensorScope.Keep(Ops.MulScalar(loss, 1));
            loss.Backward();
            Assert.That(scope.Count, Is.GreaterThan(0));
        }
        Assert.That(temporary.IsDisposed, Is.True, "temporaries are disposed");
        Assert.Throws<ObjectDisposedException>(() => _ = temporary.Storage);
        Assert.That(kept.Item(), Is.EqualTo(0.0)); // relu([-2, -2]) sums to 0
        Assert.That(w.Grad, Is.Not.Null);
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 0 }));
    }

    [Test]
    public void ReductionsThatDropDimensionsKeepTheirDataAfterTheScope()
    {
        Tensor sum;
        using (new TensorScope())
        {
            var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, new Shape(2, 3));
            sum = TensorScope.Keep(Ops.Sum(x, [1]));
        }
        Assert.That(sum.ToArray<double>(), Is.EqualTo(new double[] { 6, 15 }));
    }

    [Test]
    public void AccumulatedGradientsReplaceTheirPredecessor()
    {
        var w = Tensor.FromArray(new double[] { 1, 2 }, requiresGrad: true);
        for (int step = 0; step < 3; step++)
        {
            using var scope = new TensorScope();
            Ops.Sum(Ops.Mul(w, w)).Backward();
        }
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 6, 12 }));
    }

    [Test]
    public void ScopesMustCloseInOrder()
    {
        var outer = new TensorScope();
        var inner = new TensorScope();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        outer.Dispose();
    }
}
