namespace RawGan.Model.Metrics;

/// <summary>
/// Eigenvalues (and optionally eigenvectors) of a real symmetric matrix in float64: Householder reduction to
/// tridiagonal form, then the implicit QL iteration with Wilkinson shifts (EISPACK's tred2/tql2, as in JAMA).
/// O(n³) and unconditionally stable, so a 2048-d covariance takes seconds where a cyclic Jacobi would take minutes.
/// The working matrix is kept transposed (row j holds column j of the textbook algorithm) so that every inner loop
/// walks contiguous memory; on return its rows are the eigenvectors.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Eigenvalues in ascending order. Only the lower triangle of <paramref name="matrix"/> (n·n, row-major) is read.</summary>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int n)
    {
        var w = Copy(matrix, n);
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(w, d, e, n, vectors: false);
        QlImplicit(d, e, null, n);
        Array.Sort(d);
        return d;
    }

    /// <summary>
    /// Eigenvalues in ascending order and the matching eigenvectors as the rows of an n·n row-major array
    /// (row i belongs to value i), so matrix = Σ_i λ_i v_i v_iᵀ.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        var w = Copy(matrix, n);
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(w, d, e, n, vectors: true);
        QlImplicit(d, e, w, n);
        var order = Enumerable.Range(0, n).OrderBy(i => d[i]).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            values[i] = d[order[i]];
            w.AsSpan(order[i] * n, n).CopyTo(vectors.AsSpan(i * n, n));
        }
        return (values, vectors);
    }

    private static double[] Copy(ReadOnlySpan<double> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (matrix.Length != (long)n * n) throw new ArgumentException($"The matrix holds {matrix.Length} values, not {n}·{n}.", nameof(matrix));
        // Symmetrise from the lower triangle: w[j, k] = a[max(j,k), min(j,k)].
        var w = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double v = matrix[i * n + j];
                if (!double.IsFinite(v)) throw new ArgumentException($"The matrix has a non-finite entry at ({i}, {j}).", nameof(matrix));
                w[i * n + j] = v;
                w[j * n + i] = v;
            }
        return w;
    }

    // tred2 with V stored transposed: V[k][j] is w[j·n + k]. d receives the diagonal, e the subdiagonal (e[0] = 0).
    // With vectors, w ends as the orthogonal transformation (rows = columns of Q); without, w is scratch.
    private static void Tridiagonalize(double[] w, double[] d, double[] e, int n, bool vectors)
    {
        for (int j = 0; j < n; j++) d[j] = w[j * n + n - 1];
        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = w[j * n + i - 1];
                    w[j * n + i] = 0;
                    w[i * n + j] = 0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                Array.Clear(e, 0, i);
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    w[i * n + j] = f;
                    var col = w.AsSpan(j * n, i);
                    var rest = col[(j + 1)..];
                    g = e[j] + col[j] * f + DenseMath.Dot(rest, d.AsSpan(j + 1, i - j - 1));
                    DenseMath.Axpy(f, rest, e.AsSpan(j + 1, i - j - 1));
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    var col = w.AsSpan(j * n, i);
                    DenseMath.Axpy(-f, e.AsSpan(j, i - j), col[j..]);
                    DenseMath.Axpy(-g, d.AsSpan(j, i - j), col[j..]);
                    d[j] = col[i - 1];
                    w[j * n + i] = 0;
                }
            }
            d[i] = h;
        }

        if (!vectors)
        {
            for (int j = 0; j < n; j++) d[j] = w[j * n + j];
            e[0] = 0;
            return;
        }
        for (int i = 0; i < n - 1; i++)
        {
            w[i * n + n - 1] = w[i * n + i];
            w[i * n + i] = 1;
            double h = d[i + 1];
            var next = w.AsSpan((i + 1) * n, i + 1);
            if (h != 0)
            {
                for (int k = 0; k <= i; k++) d[k] = next[k] / h;
                for (int j = 0; j <= i; j++)
                {
                    var col = w.AsSpan(j * n, i + 1);
                    DenseMath.Axpy(-DenseMath.Dot(next, col), d.AsSpan(0, i + 1), col);
                }
            }
            next.Clear();
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = w[j * n + n - 1];
            w[j * n + n - 1] = 0;
        }
        w[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
    }

    // tql2: diagonalises the tridiagonal (d, e) in place; with w, accumulates the rotations into its rows.
    private static void QlImplicit(double[] d, double[] e, double[]? w, int n)
    {
        const int maxIterations = 60;
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0, eps = Math.Pow(2, -52);
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > maxIterations)
                        throw new ArithmeticException($"The symmetric eigensolver did not converge for eigenvalue {l} in {maxIterations} QL iterations.");
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = double.Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;

                    p = d[m];
                    double c = 1, c2 = c, c3 = c, el1 = e[l + 1], s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = double.Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        if (w is not null) DenseMath.Rotate(w.AsSpan(i * n, n), w.AsSpan((i + 1) * n, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }
}
