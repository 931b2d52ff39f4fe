using RawGan.Engine;

namespace RawGan.Tests.Ops;

public class SmokeTests
{
    [Test]
    public void AddBroadcastsPerChannelAndBackpropagates()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new Shape(1, 2, 2, 2), requiresGrad: true);
        var b = Tensor.FromArray(new double[] { 10, 20 }, new Shape(1, 2, 1, 1), requiresGrad: true);
        var y = RawGan.Engine.Ops.Sum(RawGan.Engine.Ops.Mul(x + b, x));
        Assert.That(y.Item(), Is.EqualTo(11 * 1 + 12 * 2 + 13 * 3 + 14 * 4 + 25 * 5 + 26 * 6 + 27 * 7 + 28 * 8));
        y.Backward();
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 }));
        Assert.That(x.Grad!.ToArray<double>()[0], Is.EqualTo(2 * 1 + 10));
    }

    [Test]
    public void ShapesBuildFromCollectionExpressions()
    {
        Shape s = [8, 3, 32, 32];
        Assert.That(s.Numel, Is.EqualTo(8 * 3 * 32 * 32));
        Assert.That(s.ToString(), Is.EqualTo("(8, 3, 32, 32)"));
    }
}
