using RawGan.Model.Metrics;

namespace RawGan.Tests.Metrics;

public class InceptionScoreTests
{
    [Test]
    public void IdenticalUniformPredictionsScoreOne()
    {
        var p = Filled(100, 10, (_, _) => 0.1);
        var score = InceptionScore.Compute(p);
        Assert.That(score.Mean, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(score.Std, Is.EqualTo(0.0).Within(1e-12));
    }

    [TestCase(10)]
    [TestCase(3)]
    [TestCase(1000)]
    public void OneHotPredictionsSpreadEvenlyScoreTheClassCount(int k)
    {
        // Each split of 10 holds every class equally often: p(y) is uniform and each KL is log K.
        int n = 10 * k;
        var p = Filled(n, k, (i, c) => i % k == c ? 1.0 : 0.0);
        var score = InceptionScore.Compute(p);
        Assert.That(score.Mean, Is.EqualTo(k).Within(1e-9 * k));
        Assert.That(score.Std, Is.EqualTo(0.0).Within(1e-9 * k));
    }

    [Test]
    public void OneClassOnlyScoresOne()
    {
        var p = Filled(50, 4, (_, c) => c == 2 ? 1.0 : 0.0);
        Assert.That(InceptionScore.Compute(p).Mean, Is.EqualTo(1.0).Within(1e-12));
    }

    [Test]
    public void MatchesNumpyReference()
    {
        foreach (var c in MetricsReference.Cases("inception_score"))
        {
            int n = c.GetProperty("n").GetInt32(), k = c.GetProperty("k").GetInt32();
            var score = InceptionScore.Compute(MetricsReference.Matrix(c, "probabilities", n, k), c.GetProperty("splits").GetInt32());
            Assert.That(score.Mean, Is.EqualTo(c.GetProperty("mean").GetDouble()).Within(1e-12).Percent, $"IS mean, N = {n}, K = {k}");
            Assert.That(score.Std, Is.EqualTo(c.GetProperty("std").GetDouble()).Within(1e-9).Percent, $"IS std, N = {n}, K = {k}");
        }
    }

    [Test]
    public void RejectsLogitsAndTooFewSamples()
    {
        Assert.Throws<ArgumentException>(() => InceptionScore.Compute(Filled(20, 3, (_, _) => 2.0)));
        Assert.Throws<ArgumentException>(() => InceptionScore.Compute(Filled(5, 2, (_, _) => 0.5)));
    }

    private static double[,] Filled(int n, int k, Func<int, int, double> value)
    {
        var p = new double[n, k];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++) p[i, c] = value(i, c);
        return p;
    }
}
