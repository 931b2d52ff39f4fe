using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class CastGradCheckTests
{
    [Test]
    public void Float64ToFloat32AndBackPassesTheGradientThrough()
    {
        // A central difference through float32 rounding is meaningless; the gradient of a cast is the identity,
        // rounded where it passes through float32, and that is what is checked.
        var rng = TestRng.Fresh();
        var x = rng.Normal([3, 4], requiresGrad: true);
        var y = ToDType(ToDType(x, DType.Float32), DType.Float64);
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        var dy = rng.Normal([3, 4]);
        y.Backward(dy);
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float64));
        var expected = Array.ConvertAll(dy.ToArray<double>(), v => (double)(float)v);
        Assert.That(x.Grad.ToArray<double>(), Is.EqualTo(expected), rng.ToString());
    }

    [Test]
    public void Float32ToFloat64AndBackPassesTheGradientThrough()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([5], DType.Float32, requiresGrad: true);
        var y = Mul(ToDType(x, DType.Float64), TestRng.Make([1, 2, 3, 4, 5], [5]));
        Sum(y).Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float32));
        Assert.That(x.Grad.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5 }));
    }

    [Test]
    public void CastToTheSameDTypeIsTheIdentity()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 2], requiresGrad: true);
        Assert.That(ToDType(x, DType.Float64), Is.SameAs(x));
        GradientChecker.Check("ToDType same dtype", rng, xs => Tanh(ToDType(xs[0], DType.Float64)), [x]);
    }

    [Test]
    public void CastToInt32IsNotRecorded()
    {
        var x = TestRng.Make([1.7, -2.2, 3.0], [3], requiresGrad: true);
        var i = ToDType(x, DType.Int32);
        Assert.That(i.RequiresGrad, Is.False);
        Assert.That(i.ToArray<int>(), Is.EqualTo(new[] { 1, -2, 3 }), "to Int32 truncates");
    }
}
