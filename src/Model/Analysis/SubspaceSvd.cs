using RawGan.Engine;

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
/// <param name="CheckEvery">Iterations between reads of the convergence flags: the device marks each weight done
/// itself and skips it from then on, so the host only reads to stop early once every weight is done; a call
/// synchronises once per CheckEvery iterations run (and once more when the cap is reached).</param>
public sealed record SubspaceSvdOptions(int Count = 3, int Oversample = 5, double Tolerance = 1e-6, int MaxIterations = 300, int CheckEvery = 10)
{
    /// <summary>Checks the ranges.</summary>
    public void Validate()
    {
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), Count, "At least one singular value is needed.");
        if (Oversample < 0) throw new ArgumentOutOfRangeException(nameof(Oversample), Oversample, "Oversampling must be ≥ 0.");
        if (Count + Oversample > SubspaceBatch.MaxBlock)
            throw new ArgumentOutOfRangeException(nameof(Oversample), Oversample, $"Count + Oversample is the block size, at most {SubspaceBatch.MaxBlock}.");
        if (CheckEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckEvery), CheckEvery, "Check at least every iteration count ≥ 1.");
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
/// Top singular values of weights viewed as (out, rest), by block power (subspace) iteration on WᵀW with
/// re-orthogonalisation and Rayleigh–Ritz, in float64, for many weights at once. Everything runs on the weights'
/// device through the backend's subspace-iteration kernels (<see cref="IBackend.SubspaceProduct"/> and the three
/// after it; kernels-cu/subspace.cu on a GPU): per iteration, the products W V and Wᵀ Q of every weight, the
/// orthonormalisation of both thin blocks, the b×b Rayleigh–Ritz problems and the residuals, six launches for the
/// whole batch. Each weight is marked done on the device when its residual meets the tolerance and skipped from
/// then on; the host reads the state every <see cref="SubspaceSvdOptions.CheckEvery"/> iterations to stop early.
/// <para>
/// Why this and not the eigenvalues of the small side's Gram matrix: the Gram matrix costs m·n·min(m, n) and a
/// dense eigensolver on min(m, n) up to a few thousand (ImageNet configurations), and squares the condition
/// number, whereas an iteration here costs 4·m·n·b and is warm-started from the previous call's vectors. Measured on
/// the default Mnist32 run (N(0, 0.02) init, whose near-flat Marchenko–Pastur spectra are the slow case): a cold start
/// needs up to the live cap of 50 iterations on the 64×576 convolutions, warm starts ten steps later 7–40. Matrices
/// whose small side is at most twice the block (and at most <see cref="SubspaceBatch.MaxBlock"/>) are done with the
/// whole space, exactly, in two iterations. Convergence is certified by the residual (or by the values settling in
/// a cluster), not by a fixed iteration count.
/// </para>
/// One instance keeps the last right singular vectors of each list of keyed weights (the same keys and shapes in
/// the same order) on the device, for the warm start; it is not thread-safe.
/// </summary>
public sealed class SubspaceSvd(SubspaceSvdOptions? options = null) : IDisposable
{
    private readonly SubspaceSvdOptions _options = Validated(options ?? new SubspaceSvdOptions());
    private readonly Dictionary<string, SubspacePlan> _plans = new(StringComparer.Ordinal);

    /// <summary>The settings.</summary>
    public SubspaceSvdOptions Options => _options;

    /// <summary>Synchronisations with the device in the last call (reads of the convergence state).</summary>
    public int LastReads { get; private set; }

    /// <summary>
    /// The top singular values of <paramref name="weight"/> (rank ≥ 2) viewed as (shape[0], rest). With a
    /// <paramref name="key"/>, the iteration starts from the vectors this instance found for that key last time.
    /// </summary>
    public SingularValueEstimate Compute(Tensor weight, string? key = null) => Compute([(key, weight)])[0];

    /// <summary>
    /// The top singular values of several weights (rank ≥ 2, one dtype, one device) in one batch. When every
    /// weight has a key, the iteration starts from the vectors this instance found for the same keys last time.
    /// </summary>
    public IReadOnlyList<SingularValueEstimate> Compute(IReadOnlyList<(string? Key, Tensor Weight)> weights)
    {
        if (weights.Count == 0) return [];
        foreach (var (_, w) in weights)
            if (w.Rank < 2) throw new ArgumentException($"Singular values need a weight of rank ≥ 2, got shape {w.Shape}.", nameof(weights));
        var tensors = weights.Select(x => x.Weight).ToArray();
        var (block, wanted) = Blocks(tensors);
        bool keyed = weights.All(x => x.Key is not null);
        string signature = string.Join("|", weights.Select((x, l) => $"{x.Key}:{x.Weight.Shape}:{x.Weight.DType}:{x.Weight.Backend.Name}:{block[l]}"));
        SubspacePlan? plan = null;
        if (keyed && _plans.TryGetValue(signature, out plan)) plan.Bind(tensors);
        plan ??= new SubspacePlan(tensors, block, wanted);
        if (keyed) _plans[signature] = plan;
        try
        {
            return Estimates(Iterate(plan), wanted);
        }
        finally
        {
            if (!keyed) plan.Dispose();
        }
    }

    /// <summary>Forgets the warm-start vectors (of the batches that hold a key, or all) and frees their device memory.</summary>
    public void Reset(string? key = null)
    {
        foreach (var signature in _plans.Keys.Where(s => key is null || s.Split('|').Any(e => e.StartsWith(key + ":", StringComparison.Ordinal))).ToList())
        {
            _plans[signature].Dispose();
            _plans.Remove(signature);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Reset();

    // The iteration, on the device: Y = W V; residual of the previous Ritz pairs (done ones drop out); Q = orth(Y);
    // Z = Wᵀ Q; Rayleigh–Ritz (σ, U = Q P, V = Z P); V = orth(V). The first read comes where the previous call of
    // this plan ended (so a trace that again runs to the cap, or stops where the last one did, reads once), the
    // next ones CheckEvery iterations apart. Returns the state rows read at the end.
    private double[] Iterate(SubspacePlan plan)
    {
        var backend = plan.Backend;
        var batch = plan.Batch;
        double tolerance = _options.Tolerance, settle = 1e-3 * tolerance;
        LastReads = 0;
        int check = plan.LastIterations > 0 ? plan.LastIterations : _options.CheckEvery;
        backend.Fill(plan.State, 0);
        for (int iteration = 0; iteration < _options.MaxIterations; iteration++)
        {
            backend.SubspaceProduct(batch, false, plan.V, plan.Y, plan.State);
            if (iteration > 0) backend.SubspaceResidual(batch, plan.Y, plan.U, plan.State, iteration, tolerance);
            backend.SubspaceOrthonormalize(batch, false, plan.Y, plan.State, (ulong)iteration);
            backend.SubspaceProduct(batch, true, plan.Y, plan.Z, plan.State);
            backend.SubspaceRayleighRitz(batch, plan.Y, plan.Z, plan.U, plan.V, plan.State, iteration, settle);
            backend.SubspaceOrthonormalize(batch, true, plan.V, plan.State, 1000 + (ulong)iteration);
            if (iteration + 1 == check && check < _options.MaxIterations)
            {
                if (ReadAllDone(plan, batch.Count, out var state)) return state;
                check += _options.CheckEvery;
            }
        }
        // At the cap: the residual of the last Ritz pairs, for the weights still going.
        backend.SubspaceProduct(batch, false, plan.V, plan.Y, plan.State);
        backend.SubspaceResidual(batch, plan.Y, plan.U, plan.State, _options.MaxIterations, tolerance);
        if (!ReadAllDone(plan, batch.Count, out var last)) plan.LastIterations = _options.MaxIterations;
        return last;
    }

    // Reads the state; says whether every matrix is done, and if so remembers where the slowest one stopped.
    private bool ReadAllDone(SubspacePlan plan, int count, out double[] state)
    {
        LastReads++;
        state = plan.ReadState();
        int iterations = 0;
        for (int l = 0; l < count; l++)
        {
            var row = state.AsSpan(l * SubspaceBatch.StateStride, SubspaceBatch.StateStride);
            if (row[SubspaceBatch.DoneSlot] == 0) return false;
            iterations = Math.Max(iterations, (int)row[SubspaceBatch.IterationsSlot]);
        }
        plan.LastIterations = iterations;
        return true;
    }

    private SingularValueEstimate[] Estimates(double[] state, int[] wanted)
    {
        var estimates = new SingularValueEstimate[wanted.Length];
        for (int l = 0; l < wanted.Length; l++)
        {
            var row = state.AsSpan(l * SubspaceBatch.StateStride, SubspaceBatch.StateStride);
            var values = Enumerable.Repeat(double.NaN, _options.Count).ToArray();
            for (int i = 0; i < wanted[l]; i++) values[i] = row[i];
            double residual = row[SubspaceBatch.ResidualSlot];
            bool converged = row[SubspaceBatch.DoneSlot] != 0;
            estimates[l] = new SingularValueEstimate(values, residual, (int)row[SubspaceBatch.IterationsSlot], converged);
        }
        return estimates;
    }

    // Block b = Count + Oversample (within min(rows, cols)), or the whole small side when it is at most twice that
    // (and fits a block): exact after one Rayleigh–Ritz step, for little more work.
    private (int[] Block, int[] Wanted) Blocks(Tensor[] weights)
    {
        var block = new int[weights.Length];
        var wanted = new int[weights.Length];
        for (int l = 0; l < weights.Length; l++)
        {
            int m = weights[l].Shape[0], n = (int)(weights[l].Numel / m), small = Math.Min(m, n);
            wanted[l] = Math.Min(_options.Count, small);
            block[l] = Math.Min(_options.Count + _options.Oversample, small);
            if (small <= 2 * block[l] && small <= SubspaceBatch.MaxBlock) block[l] = small;
        }
        return (block, wanted);
    }

    private static SubspaceSvdOptions Validated(SubspaceSvdOptions o)
    {
        o.Validate();
        return o;
    }
}
