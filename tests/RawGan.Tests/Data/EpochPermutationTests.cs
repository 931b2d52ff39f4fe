using RawGan.Model.Data;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>The per-epoch shuffle: a permutation, reproducible, new each epoch, and unbiased.</summary>
public class EpochPermutationTests
{
    [Test]
    public void IsAReproduciblePermutationThatChangesWithEpochAndSeed()
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue) << 20;
        int count = rng.Int(50, 500);
        long epoch = rng.Int(0, 1000);
        var order = EpochPermutation.For(seed, epoch, count);
        Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, count)), rng.ToString());
        Assert.That(EpochPermutation.For(seed, epoch, count), Is.EqualTo(order), rng.ToString());
        Assert.That(EpochPermutation.For(seed, epoch + 1, count), Is.Not.EqualTo(order), rng.ToString());
        Assert.That(EpochPermutation.For(seed + 1, epoch, count), Is.Not.EqualTo(order), rng.ToString());
    }

    [Test]
    public void AllOrdersOfFourAreEquallyLikely()
    {
        // 24 orders over 4,800 epochs: 200 expected each. Chi-square with 23 degrees of freedom stays under 49.7
        // with probability 0.999, so a biased shuffle (e.g. the classic j in [0, n) mistake) fails and a correct one
        // almost never does.
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        const int epochs = 4800;
        var counts = new Dictionary<string, int>();
        for (long e = 0; e < epochs; e++)
        {
            var key = string.Join(",", EpochPermutation.For(seed, e, 4));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.That(counts, Has.Count.EqualTo(24), rng.ToString());
        double chi2 = counts.Values.Sum(c => (c - 200.0) * (c - 200.0) / 200.0);
        Assert.That(chi2, Is.LessThan(49.7), rng.ToString());
    }

    [Test]
    public void HandlesEmptyAndSingletonSets()
    {
        Assert.That(EpochPermutation.For(1, 0, 0), Is.Empty);
        Assert.That(EpochPermutation.For(1, 0, 1), Is.EqualTo(new[] { 0 }));
    }
}
