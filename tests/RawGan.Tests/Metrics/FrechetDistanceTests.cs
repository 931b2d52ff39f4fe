using RawGan.Model.Metrics;

namespace RawGan.Tests.Metrics;

public class FrechetDistanceTests
{
    [Test]
    public void DiagonalGaussiansHaveTheClosedForm()
    {
        double[] a = [0.5, 2.0, 3.0, 1e-3, 7.0], b = [1.5, 0.2, 3.0, 4.0, 0.0];
        double[] m1 = [1, 2, 3, 4, 5], m2 = [1, 0, 3, 4.5, 5];
        double expected = m1.Zip(m2, (x, y) => (x - y) * (x - y)).Sum() + a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        Assert.That(FrechetDistance.Compute(m1, Diagonal(a), m2, Diagonal(b)), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void RotatedDiagonalGaussiansKeepTheClosedForm()
    {
        // Commuting covariances Q·diag(a)·Qᵀ and Q·diag(b)·Qᵀ: the distance is that of the diagonal ones.
        int d = 8;
        var rng = new Random(3);
        double[] a = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 3).ToArray();
        double[] b = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 3).ToArray();
        var q = RandomOrthogonal(d, rng);
        double expected = a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        var zero = new double[d];
        Assert.That(FrechetDistance.Compute(zero, Conjugate(q, a), zero, Conjugate(q, b)), Is.EqualTo(expected).Within(1e-10));
    }

    [Test]
    public void IdenticalDistributionsAreAtZero()
    {
        var (mean, cov) = RandomStatistics(12, new Random(1));
        Assert.That(FrechetDistance.Compute(mean, cov, mean, cov), Is.EqualTo(0).Within(1e-10));
    }

    [Test]
    public void APureMeanShiftCostsItsSquaredLength()
    {
        var (mean, cov) = RandomStatistics(10, new Random(2));
        var shifted = mean.Select((m, i) => m + (i % 3) - 1.0).ToArray();
        double expected = mean.Zip(shifted, (x, y) => (x - y) * (x - y)).Sum();
        Assert.That(FrechetDistance.Compute(mean, cov, shifted, cov), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void MatchesScipyReference()
    {
        foreach (var c in MetricsReference.Cases("fid"))
        {
            int n1 = c.GetProperty("n1").GetInt32(), n2 = c.GetProperty("n2").GetInt32(), d = c.GetProperty("d").GetInt32();
            var s1 = FeatureStatistics.FromFeatures(MetricsReference.Matrix(c, "features1", n1, d));
            var s2 = FeatureStatistics.FromFeatures(MetricsReference.Matrix(c, "features2", n2, d));
            Assert.That(s1.Mean, Is.EqualTo(MetricsReference.Array(c, "mean1")).Within(1e-12), $"mean, d = {d}");
            Assert.That(s1.Covariance, Is.EqualTo(MetricsReference.Array(c, "cov1")).Within(1e-10), $"numpy.cov, d = {d}");
            Assert.That(s2.Covariance, Is.EqualTo(MetricsReference.Array(c, "cov2")).Within(1e-10), $"numpy.cov, d = {d}");
            // sqrtm of a singular product is only accurate to about sqrt(machine epsilon) of its scale.
            double expected = c.GetProperty("fid").GetDouble();
            double tolerance = n1 <= d ? 1e-5 * expected : 1e-9 * expected;
            Assert.That(FrechetDistance.Compute(s1, s2), Is.EqualTo(expected).Within(tolerance), $"FID, d = {d}, N = {n1}, {n2}");
        }
    }

    [Test]
    public void StreamingMomentsMatchOneShotStatistics()
    {
        var rng = new Random(4);
        int d = 5;
        var all = new double[30, d];
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < d; j++) all[i, j] = 1000 + rng.NextDouble() * (j + 1);
        var moments = new FeatureMoments(d);
        for (int start = 0; start < 30; start += 7)
        {
            int rows = Math.Min(7, 30 - start);
            var part = new double[rows, d];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < d; j++) part[i, j] = all[start + i, j];
            moments.Add(part);
        }
        var streamed = moments.ToStatistics();
        var direct = DirectStatistics(all);
        Assert.That(streamed.Count, Is.EqualTo(30));
        Assert.That(streamed.Mean, Is.EqualTo(direct.Mean).Within(1e-9));
        Assert.That(streamed.Covariance, Is.EqualTo(direct.Cov).Within(1e-9));
    }

    private static (double[] Mean, double[] Cov) DirectStatistics(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var mean = new double[d];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) mean[j] += x[i, j];
            mean[j] /= n;
        }
        var cov = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += (x[i, a] - mean[a]) * (x[i, b] - mean[b]);
                cov[a * d + b] = s / (n - 1);
            }
        return (mean, cov);
    }

    internal static double[] Diagonal(double[] values)
    {
        int d = values.Length;
        var m = new double[d * d];
        for (int i = 0; i < d; i++) m[i * d + i] = values[i];
        return m;
    }

    // Q·diag(values)·Qᵀ for Q (d·d row-major).
    internal static double[] Conjugate(double[] q, double[] values)
    {
        int d = values.Length;
        var m = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++) m[i * d + j] += q[i * d + k] * values[k] * q[j * d + k];
        return m;
    }

    // Gram–Schmidt on a random matrix.
    internal static double[] RandomOrthogonal(int d, Random rng)
    {
        var q = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            var v = Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray();
            for (int p = 0; p < i; p++)
            {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += v[k] * q[p * d + k];
                for (int k = 0; k < d; k++) v[k] -= dot * q[p * d + k];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int k = 0; k < d; k++) q[i * d + k] = v[k] / norm;
        }
        return q;
    }

    private static (double[] Mean, double[] Cov) RandomStatistics(int d, Random rng)
    {
        var q = RandomOrthogonal(d, rng);
        var values = Enumerable.Range(0, d).Select(_ => 0.1 + rng.NextDouble() * 4).ToArray();
        return (Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 10).ToArray(), Conjugate(q, values));
    }
}
