namespace RawGan.Tests.TestSupport;

/// <summary>
/// Small dense linear algebra on row-major double arrays, written independently of the engine so that tests can
/// check it against quantities it does not compute itself (singular values, orthonormal bases).
/// </summary>
public static class DenseMath
{
    /// <summary>Row-major (m, n) = (m, k)·(k, n).</summary>
    public static double[] MatMul(double[] a, int m, int k, double[] b, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
        return c;
    }

    /// <summary>The transpose of a row-major (rows, cols) matrix.</summary>
    public static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /// <summary>Eigenvalues of a symmetric n×n matrix by cyclic Jacobi rotations, in descending order.</summary>
    public static double[] SymmetricEigenvalues(double[] symmetric, int n)
    {
        var a = (double[])symmetric.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
            {
                double apq = a[p * n + q];
                if (apq == 0) continue;
                // The rotation that zeroes a[p, q] (Golub & Van Loan, symmetric Schur decomposition).
                double tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                double t = Math.Sign(tau == 0 ? 1 : tau) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
                for (int k = 0; k < n; k++)
                {
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++)
                {
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
        var eig = new double[n];
        for (int i = 0; i < n; i++) eig[i] = a[i * n + i];
        Array.Sort(eig);
        Array.Reverse(eig);
        return eig;
    }

    /// <summary>Singular values of a (rows, cols) matrix, descending, from the eigenvalues of the smaller Gram matrix.</summary>
    public static double[] SingularValues(double[] w, int rows, int cols)
    {
        var gram = rows <= cols
            ? MatMul(w, rows, cols, Transpose(w, rows, cols), rows)
            : MatMul(Transpose(w, rows, cols), cols, rows, w, cols);
        return SymmetricEigenvalues(gram, Math.Min(rows, cols)).Select(e => Math.Sqrt(Math.Max(e, 0))).ToArray();
    }

    /// <summary>
    /// Singular values of a (rows, cols) matrix, descending, by one-sided (Hestenes) Jacobi rotations on the columns
    /// of the taller orientation: accurate to working precision even for tiny singular values, unlike the Gram route.
    /// </summary>
    public static double[] JacobiSingularValues(double[] w, int rows, int cols)
    {
        var a = rows >= cols ? (double[])w.Clone() : Transpose(w, rows, cols);
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        for (int sweep = 0; sweep < 100; sweep++)
        {
            bool rotated = false;
            for (int i = 0; i < n - 1; i++)
            for (int j = i + 1; j < n; j++)
            {
                double alpha = 0, beta = 0, gamma = 0;
                for (int r = 0; r < m; r++)
                {
                    alpha += a[r * n + i] * a[r * n + i];
                    beta += a[r * n + j] * a[r * n + j];
                    gamma += a[r * n + i] * a[r * n + j];
                }
                if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta) || gamma == 0) continue;
                rotated = true;
                double zeta = (beta - alpha) / (2 * gamma);
                double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                for (int r = 0; r < m; r++)
                {
                    double ai = a[r * n + i], aj = a[r * n + j];
                    a[r * n + i] = c * ai - s * aj;
                    a[r * n + j] = s * ai + c * aj;
                }
            }
            if (!rotated) break;
        }
        var sv = new double[n];
        for (int c = 0; c < n; c++)
        {
            double norm = 0;
            for (int r = 0; r < m; r++) norm += a[r * n + c] * a[r * n + c];
            sv[c] = Math.Sqrt(norm);
        }
        return sv.OrderByDescending(x => x).ToArray();
    }

    /// <summary>A random n×k matrix (k ≤ n) with orthonormal columns: Gram–Schmidt (twice, for accuracy) on normals.</summary>
    public static double[] OrthonormalColumns(TestRng rng, int n, int k)
    {
        var q = rng.NormalArray((long)n * k);
        for (int j = 0; j < k; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < j; i++)
                {
                    double dot = 0;
                    for (int r = 0; r < n; r++) dot += q[r * k + i] * q[r * k + j];
                    for (int r = 0; r < n; r++) q[r * k + j] -= dot * q[r * k + i];
                }
            }
            double norm = 0;
            for (int r = 0; r < n; r++) norm += q[r * k + j] * q[r * k + j];
            norm = Math.Sqrt(norm);
            for (int r = 0; r < n; r++) q[r * k + j] /= norm;
        }
        return q;
    }

    /// <summary>A random (rows, cols) matrix U·diag(s)·Vᵀ with the given singular values (s.Length = min(rows, cols)).</summary>
    public static double[] WithSingularValues(TestRng rng, int rows, int cols, double[] s)
    {
        int r = s.Length;
        var u = OrthonormalColumns(rng, rows, r);
        var v = OrthonormalColumns(rng, cols, r);
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < r; j++) u[i * r + j] *= s[j];
        return MatMul(u, rows, r, Transpose(v, cols, r), cols);
    }

    /// <summary>a / max(‖a‖, eps), as the spectral-norm power iteration normalises.</summary>
    public static double[] Normalize(double[] a, double eps)
    {
        double norm = Math.Sqrt(a.Sum(x => x * x));
        return a.Select(x => x / Math.Max(norm, eps)).ToArray();
    }
}
