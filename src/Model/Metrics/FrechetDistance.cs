namespace RawGan.Model.Metrics;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to features: |μ1 − μ2|² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½), in float64.
/// The trace of the square root needs no matrix square root of the product: with Σ1 = V Λ Vᵀ and S = Σ1^½ =
/// V Λ^½ Vᵀ, Σ1Σ2 is similar to S Σ2 S (symmetric, positive semidefinite), which is similar to
/// A = Λ^½ (Vᵀ Σ2 V) Λ^½, so Tr((Σ1Σ2)^½) = Σ_i √eig_i(A). Two symmetric eigendecompositions and two matrix
/// products; tiny negative eigenvalues from rounding (covariances of fewer samples than dimensions are singular)
/// are clamped to zero, which is what scipy.linalg.sqrtm's real part amounts to on these matrices.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance between two sets of statistics of the same dimension.</summary>
    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);
    }

    /// <summary>The distance from means (D) and covariances (D·D, row-major, symmetric).</summary>
    public static double Compute(double[] mean1, double[] cov1, double[] mean2, double[] cov2)
    {
        int d = mean1.Length;
        if (mean2.Length != d || cov1.Length != (long)d * d || cov2.Length != (long)d * d)
            throw new ArgumentException($"The statistics differ in dimension: means of {mean1.Length} and {mean2.Length}, covariances of {cov1.Length} and {cov2.Length} values.");
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = mean1[i] - mean2[i];
            meanTerm += diff * diff;
            traces += cov1[i * d + i] + cov2[i * d + i];
        }
        return meanTerm + traces - 2 * TraceSqrtProduct(cov1, cov2, d);
    }

    /// <summary>Tr((Σ1Σ2)^½) for symmetric positive semidefinite Σ1, Σ2 (D·D, row-major).</summary>
    public static double TraceSqrtProduct(double[] cov1, double[] cov2, int d)
    {
        var (lambda, v) = SymmetricEigen.Decompose(cov1, d); // rows of v are eigenvectors: v = Vᵀ
        var t = DenseMath.MultiplyByTranspose(v, cov2, d);   // Vᵀ Σ2 (= Vᵀ Σ2ᵀ: Σ2 is symmetric)
        var a = DenseMath.MultiplyByTranspose(t, v, d);      // Vᵀ Σ2 V
        var root = lambda.Select(l => Math.Sqrt(Math.Max(l, 0))).ToArray();
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) a[i * d + j] *= root[i] * root[j];
        return SymmetricEigen.Eigenvalues(a, d).Sum(mu => Math.Sqrt(Math.Max(mu, 0)));
    }
}
