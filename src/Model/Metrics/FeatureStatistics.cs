namespace RawGan.Model.Metrics;

/// <summary>
/// Mean and covariance of a set of feature vectors, in float64; the covariance is the unbiased one (divided by
/// N − 1), as numpy.cov(features, rowvar=False) computes it for the reference FID code.
/// </summary>
public sealed class FeatureStatistics
{
    /// <summary>Wraps a mean (D) and a covariance (D·D, row-major) computed from <paramref name="count"/> samples.</summary>
    public FeatureStatistics(double[] mean, double[] covariance, long count)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (covariance.Length != (long)mean.Length * mean.Length)
            throw new ArgumentException($"A {mean.Length}-d mean needs a {mean.Length}·{mean.Length} covariance; got {covariance.Length} values.", nameof(covariance));
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    /// <summary>Feature length D.</summary>
    public int Dimension => Mean.Length;

    /// <summary>The mean feature (D).</summary>
    public double[] Mean { get; }

    /// <summary>The unbiased covariance (D·D, row-major).</summary>
    public double[] Covariance { get; }

    /// <summary>Samples the statistics came from.</summary>
    public long Count { get; }

    /// <summary>Statistics of the rows of <paramref name="features"/> (N, D).</summary>
    public static FeatureStatistics FromFeatures(double[,] features)
    {
        var moments = new FeatureMoments(features.GetLength(1));
        moments.Add(features);
        return moments.ToStatistics();
    }
}

/// <summary>
/// Accumulates feature vectors batch by batch into the sums a mean and covariance need, in O(D²) memory whatever
/// the sample count. The sums are taken about the first sample (a shift that costs nothing) so that features with
/// a large common offset do not lose their variance to cancellation.
/// </summary>
public sealed class FeatureMoments
{
    private readonly int _d;
    private readonly double[] _shift, _sum, _cross;
    private long _count;

    /// <summary>An empty accumulator for <paramref name="dimension"/>-d features.</summary>
    public FeatureMoments(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        _d = dimension;
        _shift = new double[dimension];
        _sum = new double[dimension];
        _cross = new double[dimension * dimension];
    }

    /// <summary>Samples added so far.</summary>
    public long Count => _count;

    /// <summary>Adds the rows of <paramref name="features"/> (N, D).</summary>
    public void Add(double[,] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.GetLength(1) != _d) throw new ArgumentException($"Expected {_d}-d features; got {features.GetLength(1)}.", nameof(features));
        int n = features.GetLength(0);
        if (n == 0) return;
        if (_count == 0)
            for (int j = 0; j < _d; j++) _shift[j] = features[0, j];

        var rows = new double[n * _d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < _d; j++)
            {
                double v = features[i, j] - _shift[j];
                if (!double.IsFinite(v)) throw new ArgumentException($"Feature {j} of sample {i} is not finite ({features[i, j]}).", nameof(features));
                rows[i * _d + j] = v;
                _sum[j] += v;
            }
        // The lower triangle of Σ_i y_i y_iᵀ (the upper is filled in ToStatistics), parallel over output rows. The
        // samples go in blocks small enough to stay in cache while every output row passes over them.
        const int block = 32;
        for (int from = 0; from < n; from += block)
        {
            int to = Math.Min(n, from + block);
            Parallel.For(0, _d, a =>
            {
                var target = _cross.AsSpan(a * _d, a + 1);
                for (int i = from; i < to; i++)
                {
                    double ya = rows[i * _d + a];
                    if (ya != 0) DenseMath.Axpy(ya, rows.AsSpan(i * _d, a + 1), target);
                }
            });
        }
        _count += n;
    }

    /// <summary>The mean and unbiased covariance of everything added (at least two samples).</summary>
    public FeatureStatistics ToStatistics()
    {
        if (_count < 2) throw new InvalidOperationException($"A covariance needs at least two samples; {_count} were added.");
        var shiftedMean = _sum.Select(s => s / _count).ToArray();
        var mean = new double[_d];
        for (int j = 0; j < _d; j++) mean[j] = shiftedMean[j] + _shift[j];
        var cov = new double[_d * _d];
        for (int a = 0; a < _d; a++)
            for (int b = 0; b <= a; b++)
            {
                double v = (_cross[a * _d + b] - _count * shiftedMean[a] * shiftedMean[b]) / (_count - 1);
                cov[a * _d + b] = v;
                cov[b * _d + a] = v;
            }
        return new FeatureStatistics(mean, cov, _count);
    }
}
