using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Model.Analysis;

/// <summary>Settings of <see cref="SubspaceSvd"/>.</summary>
/// <param name="Count">Singular values wanted (σ0 ≥ σ1 ≥ ...).</param>
/// <param name="Oversample">Extra block columns: convergence of σi goes as (σ_{b}/σi)² per iteration with block size
/// b = Count + Oversample, so a few extra columns make near-degenerate σ2 ≈ σ3 converge quickly.</param>
/// <param name="Tolerance">Stop when every wanted triplet's residual ‖W vi − σi ui‖ is at most Tolerance·σ0 (each σi
/// is then within that residual of a true singular value, typically within its square over the gap), or when the
/// Ritz values move by less than 1e-3·Tolerance·σ0 in one iteration: in a tight cluster the vectors converge slowly
/// but the values, which converge twice as fast, are settled (error ≤ change·ρ/(1 − ρ) ≤ Tolerance·σ0 for a
/// convergence rate ρ up to 0.999).</param>
/// <param name="MaxIterations">Iteration cap (one product with W and one with Wᵀ each).</param>
public sealed record SubspaceSvdOptions(int Count = 3, int Oversample = 5, double Tolerance = 1e-6, int MaxIterations = 300)
{
    /// <summary>Checks the ranges.</summary>
    public void Validate()
    {
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), Count, "At least one singular value is needed.");
        if (Oversample < 0) throw new ArgumentOutOfRangeException(nameof(Oversample), Oversample, "Oversampling must be ≥ 0.");
        if (!(Tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance must be positive.");
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "At least one iteration is needed.");
    }
}

/// <summary>
/// The top singular values of a matrix: <see cref="Values"/> has <see cref="SubspaceSvdOptions.Count"/> entries,
/// NaN past min(rows, cols) (a 1×n weight has one singular value). <see cref="Residual"/> is the largest relative
/// residual max_i ‖W vi − σi ui‖ / σ0 reached; <see cref="Converged"/> says it met the tolerance (by the residual or,
/// in a clustered spectrum, by the values settling: see <see cref="SubspaceSvdOptions.Tolerance"/>).
/// </summary>
public sealed record SingularValueEstimate(double[] Values, double Residual, int Iterations, bool Converged);

/// <summary>
/// Top singular values of a weight viewed as (out, rest), by block power (subspace) iteration on WᵀW with
/// re-orthogonalisation and Rayleigh–Ritz, in float64. The two products per iteration (W V and Wᵀ Q, with thin
/// blocks of b columns) go through <see cref="Ops.MatMul"/> on the weight's device, so on a GPU they run there;
/// the thin blocks come to the host, where the QR (<see cref="Orthonormalizer"/>) and the b×b eigenproblem
/// (<see cref="SymmetricEigen"/>) cost O((m + n) b²).
/// <para>
/// Why this and not the eigenvalues of the small side's Gram matrix: the Gram matrix costs m·n·min(m, n) and a
/// dense eigensolver on min(m, n) up to a few thousand (ImageNet configurations), and squares the condition
/// number, whereas an iteration here costs 4·m·n·b and is warm-started from the previous call's vectors. Measured on
/// the default Mnist32 run (N(0, 0.02) init, whose near-flat Marchenko–Pastur spectra are the slow case): a cold start
/// needs up to the live cap of 50 iterations on the 64×576 convolutions, warm starts ten steps later 7–40, and a whole
/// trace of G and D costs under 2% of ten training steps. Matrices whose small side is at most twice the block are
/// done with the whole space, exactly, in two iterations. Convergence is certified by the residual (or by the values
/// settling in a cluster), not by a fixed iteration count.
/// </para>
/// One instance keeps the last right singular vectors per matrix for the warm start; it is not thread-safe.
/// </summary>
public sealed class SubspaceSvd(SubspaceSvdOptions? options = null)
{
    private readonly SubspaceSvdOptions _options = Validated(options ?? new SubspaceSvdOptions());
    private readonly Dictionary<string, (int Cols, int Block, double[] V)> _warm = new(StringComparer.Ordinal);

    /// <summary>The settings.</summary>
    public SubspaceSvdOptions Options => _options;

    /// <summary>
    /// The top singular values of <paramref name="weight"/> (rank ≥ 2) viewed as (shape[0], rest). With a
    /// <paramref name="key"/>, the iteration starts from the vectors this instance found for that key last time.
    /// </summary>
    public SingularValueEstimate Compute(Tensor weight, string? key = null)
    {
        if (weight.Rank < 2) throw new ArgumentException($"Singular values need a weight of rank ≥ 2, got shape {weight.Shape}.", nameof(weight));
        int m = weight.Shape[0], n = (int)(weight.Numel / m);
        int small = Math.Min(m, n);
        int k = Math.Min(_options.Count, small), b = Math.Min(_options.Count + _options.Oversample, small);
        if (small <= 2 * b) b = small; // the whole row or column space: exact after one Rayleigh–Ritz step, for little more work

        var values = Enumerable.Repeat(double.NaN, _options.Count).ToArray();

        using var scope = new TensorScope();
        using var noGrad = GradMode.Disable();
        var a = Ops.Reshape(weight.Detach(), new Shape(m, n)).ToDType(DType.Float64);

        double[] v = WarmStart(key, n, b);
        double[]? sigma = null, uRitz = null;
        double residual = double.PositiveInfinity;
        int iteration = 0;
        bool settled = false;
        for (; iteration < _options.MaxIterations; iteration++)
        {
            var y = Ops.MatMul(a, Upload(v, n, b, weight.Device)).ToArray<double>(); // W V, m×b
            if (sigma is not null)
            {
                residual = RelativeResidual(y, sigma, uRitz!, m, b, k);
                if (residual <= _options.Tolerance || settled) break;
            }
            Orthonormalizer.Orthonormalize(y, m, b, seed: iteration);
            var z = Ops.MatMul(a, Upload(y, m, b, weight.Device), transA: true).ToArray<double>(); // Wᵀ Q, n×b
            var previous = sigma;
            (sigma, uRitz, v) = RayleighRitz(y, z, m, n, b, iteration);
            settled = previous is not null && Enumerable.Range(0, k).All(i => Math.Abs(sigma[i] - previous[i]) <= 1e-3 * _options.Tolerance * sigma[0]);
            if (sigma[0] == 0) // W = 0: every singular value is exactly zero
            {
                residual = 0;
                break;
            }
        }
        if (key is not null) _warm[key] = (n, b, v);
        for (int i = 0; i < k; i++) values[i] = sigma![i];
        return new SingularValueEstimate(values, residual, iteration, residual <= _options.Tolerance || settled);
    }

    /// <summary>Forgets the warm-start vectors (of one key, or all).</summary>
    public void Reset(string? key = null)
    {
        if (key is null) _warm.Clear();
        else _warm.Remove(key);
    }

    // Q (m×b, orthonormal) and Z = Wᵀ Q (n×b): Qᵀ W = Zᵀ, whose SVD Zᵀ = P Σ Rᵀ comes from the eigenvectors P of
    // ZᵀZ (b×b). Ritz values Σ, left vectors Q P, right vectors orth(Z P) (orthonormal, and completed where σ = 0).
    private static (double[] Sigma, double[] U, double[] V) RayleighRitz(double[] q, double[] z, int m, int n, int b, int iteration)
    {
        var gram = new double[b * b];
        for (int i = 0; i < b; i++)
            for (int j = i; j < b; j++)
            {
                double s = 0;
                for (int r = 0; r < n; r++) s += z[r * b + i] * z[r * b + j];
                gram[i * b + j] = gram[j * b + i] = s;
            }
        var (lambda, p) = SymmetricEigen.Decompose(gram, b);
        var sigma = lambda.Select(l => Math.Sqrt(Math.Max(l, 0))).ToArray();
        var u = Multiply(q, p, m, b);
        var v = Multiply(z, p, n, b);
        Orthonormalizer.Orthonormalize(v, n, b, seed: 1000 + iteration);
        return (sigma, u, v);
    }

    private static double RelativeResidual(double[] wv, double[] sigma, double[] u, int m, int b, int k)
    {
        double worst = 0;
        for (int i = 0; i < k; i++)
        {
            double s = 0;
            for (int r = 0; r < m; r++)
            {
                double d = wv[r * b + i] - sigma[i] * u[r * b + i];
                s += d * d;
            }
            worst = Math.Max(worst, Math.Sqrt(s));
        }
        return sigma[0] > 0 ? worst / sigma[0] : worst;
    }

    private static double[] Multiply(double[] x, double[] p, int rows, int b)
    {
        var y = new double[rows * b];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < b; c++)
            {
                double s = 0;
                for (int j = 0; j < b; j++) s += x[r * b + j] * p[j * b + c];
                y[r * b + c] = s;
            }
        return y;
    }

    private double[] WarmStart(string? key, int n, int b)
    {
        if (key is not null && _warm.TryGetValue(key, out var w) && w.Cols == n && w.Block == b) return (double[])w.V.Clone();
        // A fixed pseudo-random start: the same weight gives the same iterates.
        var random = new Random(n * 31 + b);
        var v = new double[n * b];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextDouble() - 0.5;
        Orthonormalizer.Orthonormalize(v, n, b);
        return v;
    }

    private static Tensor Upload(double[] block, int rows, int cols, Device device) => Tensor.FromArray(block, new Shape(rows, cols), device);

    private static SubspaceSvdOptions Validated(SubspaceSvdOptions o)
    {
        o.Validate();
        return o;
    }
}
