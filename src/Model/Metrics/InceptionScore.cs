namespace RawGan.Model.Metrics;

/// <summary>The Inception Score of a set of class predictions: its mean and spread over splits.</summary>
public readonly record struct InceptionScoreResult(double Mean, double Std, int Splits, int Samples);

/// <summary>
/// The Inception Score, exp(mean_x KL(p(y|x) ‖ p(y))), with p(y) the mean prediction within each split, as in
/// Salimans et al.'s original code (openai/improved-gan) that BigGAN-PyTorch's inception_utils repeats: split i
/// holds rows [i·N/s, (i+1)·N/s), and the standard deviation over the splits is the population one (numpy's
/// np.std, ddof = 0). Everything is float64; 0·log 0 counts as 0, so exact one-hot predictions are allowed.
/// </summary>
public static class InceptionScore
{
    /// <summary>The splits of the reference implementations.</summary>
    public const int DefaultSplits = 10;

    /// <summary>Scores predictions (N, K) whose rows are probability vectors.</summary>
    public static InceptionScoreResult Compute(double[,] probabilities, int splits = DefaultSplits)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        int n = probabilities.GetLength(0), k = probabilities.GetLength(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(splits, 1);
        if (n < splits)
            throw new ArgumentException($"The Inception Score over {splits} splits needs at least {splits} predictions; got {n}.", nameof(probabilities));
        CheckProbabilities(probabilities);

        var scores = new double[splits];
        var marginal = new double[k];
        for (int s = 0; s < splits; s++)
        {
            int from = (int)((long)s * n / splits), to = (int)((long)(s + 1) * n / splits);
            Array.Clear(marginal);
            for (int i = from; i < to; i++)
                for (int c = 0; c < k; c++) marginal[c] += probabilities[i, c];
            for (int c = 0; c < k; c++) marginal[c] /= to - from;

            double kl = 0;
            for (int i = from; i < to; i++)
                for (int c = 0; c < k; c++)
                {
                    double p = probabilities[i, c];
                    if (p > 0) kl += p * (Math.Log(p) - Math.Log(marginal[c]));
                }
            scores[s] = Math.Exp(kl / (to - from));
        }
        double mean = scores.Average();
        double variance = scores.Sum(v => (v - mean) * (v - mean)) / splits;
        return new InceptionScoreResult(mean, Math.Sqrt(variance), splits, n);
    }

    private static void CheckProbabilities(double[,] p)
    {
        int n = p.GetLength(0), k = p.GetLength(1);
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double v = p[i, c];
                if (!(v >= 0)) throw new ArgumentException($"Prediction {i} has a negative or NaN probability ({v}) for class {c}.", nameof(p));
                sum += v;
            }
            if (Math.Abs(sum - 1) > 1e-4)
                throw new ArgumentException($"Prediction {i} sums to {sum}, not 1: pass softmax probabilities, not logits.", nameof(p));
        }
    }
}
