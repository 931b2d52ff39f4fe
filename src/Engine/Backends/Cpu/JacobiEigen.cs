namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Eigenvalues and eigenvectors of a small symmetric matrix in float64 by the cyclic Jacobi method: slow for large
/// n (O(n³) a sweep) but accurate to working precision and simple, which is what the b×b Rayleigh–Ritz problems of
/// the subspace iteration need (b ≤ 16; kernels-cu/subspace.cu runs the same sweeps on the GPU). Not
/// Model.Metrics.SymmetricEigen (Householder + QL, built for 2048-d covariances): σ = √λ of a Gram matrix, and QL's
/// eigenvalue errors of about ε·λmax become σ errors of √ε·σ0 (≈ 1e-8), where Jacobi keeps small eigenvalues to
/// high relative accuracy (a rank-deficient weight's σ2 stays 0).
/// </summary>
internal static class JacobiEigen
{
    /// <summary>
    /// Decomposes the symmetric n×n matrix <paramref name="a"/> (row-major, only read): returns the eigenvalues in
    /// descending order and the matching eigenvectors as the columns of an n×n row-major matrix.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"Expected {n}x{n} = {n * n} values, got {a.Length}.", nameof(a));
        var m = a.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double x = m[i * n + j] * m[i * n + j];
                    total += x;
                    if (i != j) off += x;
                }
            if (off <= 1e-32 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++) Rotate(m, v, n, p, q);
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i * n + i];
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ToArray();
        var sortedValues = new double[n];
        var sortedVectors = new double[n * n];
        for (int c = 0; c < n; c++)
        {
            sortedValues[c] = values[order[c]];
            for (int r = 0; r < n; r++) sortedVectors[r * n + c] = v[r * n + order[c]];
        }
        return (sortedValues, sortedVectors);
    }

    // One Jacobi rotation zeroing m[p,q] (Golub & Van Loan, Algorithm 8.5.1, with the stable choice of tan θ).
    private static void Rotate(double[] m, double[] v, int n, int p, int q)
    {
        double apq = m[p * n + q];
        if (apq == 0) return;
        double app = m[p * n + p], aqq = m[q * n + q];
        double tau = (aqq - app) / (2 * apq);
        double t = Math.Sign(tau) == 0 ? 1 : Math.Sign(tau) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
        double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double mkp = m[k * n + p], mkq = m[k * n + q];
            m[k * n + p] = c * mkp - s * mkq;
            m[k * n + q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++)
        {
            double mpk = m[p * n + k], mqk = m[q * n + k];
            m[p * n + k] = c * mpk - s * mqk;
            m[q * n + k] = s * mpk + c * mqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }
}
