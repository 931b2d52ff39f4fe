using RawGan.Engine;
using RawGan.Engine.Optim;

namespace RawGan.Tests.Optim;

public class EmaTests
{
    [Test]
    public void UpdateBlendsEachAverageTowardsItsSource()
    {
        var source = Tensor.FromArray(new double[] { 1, 2, 3 });
        var average = Tensor.FromArray(new double[] { 0, 0, 0 });
        var ema = new Ema([source], [average]);
        ema.Update(0.75);
        Assert.That(average.ToArray<double>(), Is.EqualTo(new[] { 0.25, 0.5, 0.75 }));
        ema.Update(0.5);
        Assert.That(average.ToArray<double>(), Is.EqualTo(new[] { 0.625, 1.25, 1.875 }));
        ema.CopyFromSources();
        Assert.That(average.ToArray<double>(), Is.EqualTo(new double[] { 1, 2, 3 }));
    }

    [Test]
    public void DecayZeroCopiesTheSourceEvenWhereTheAverageIsNaN()
    {
        // Before EmaStart the trainer updates with decay 0: the average must become the source, and 0·NaN is NaN.
        var source = Tensor.FromArray(new float[] { 1, 2, 3 });
        var average = Tensor.FromArray(new[] { float.NaN, float.PositiveInfinity, 0f });
        new Ema([source], [average]).Update(0);
        Assert.That(average.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3 }));
    }

    [Test]
    public void MismatchedPairsAndBadDecaysAreRejected()
    {
        Assert.Throws<ArgumentException>(() => _ = new Ema([Tensor.Zeros([2])], [Tensor.Zeros([3])]));
        var ema = new Ema([Tensor.Zeros([2])], [Tensor.Zeros([2])]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Update(1.5));
    }
}
