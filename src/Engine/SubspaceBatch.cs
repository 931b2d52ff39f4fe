namespace RawGan.Engine;

/// <summary>
/// The matrices of one batched subspace iteration (the "subspace iteration" section of <see cref="IBackend"/>):
/// matrix l is the storage of a weight viewed as <see cref="Rows"/>[l] × <see cref="Cols"/>[l] (row-major; all
/// Float32 or all Float64), iterated with a block of <see cref="Block"/>[l] ≤ <see cref="MaxBlock"/> vectors, of
/// which the first <see cref="Wanted"/>[l] are certified by the residual. The float64 thin blocks of all matrices
/// are packed into two kinds of buffer: row-side (Y = W V, Q, U: matrix l's Rows×Block block, row-major, at
/// <see cref="RowOffset"/>[l]) and column-side (V, Z = Wᵀ Q: its Cols×Block block at <see cref="ColOffset"/>[l]).
/// Each matrix has a row of <see cref="StateStride"/> doubles in a state buffer: its Ritz values σ (descending,
/// <see cref="MaxBlock"/> slots), the residual, and the settled, done and iteration-count entries.
/// </summary>
public sealed class SubspaceBatch : IDisposable
{
    /// <summary>The largest block (the kernels keep one row of a block in registers).</summary>
    public const int MaxBlock = 16;

    /// <summary>Doubles per matrix in the state buffer.</summary>
    public const int StateStride = 20;

    /// <summary>State entry: max over the wanted triplets of ‖W vᵢ − σᵢ uᵢ‖ / σ0 (absolute when σ0 = 0).</summary>
    public const int ResidualSlot = 16;

    /// <summary>State entry: 1 when every wanted σ moved by at most the settle threshold in the last iteration.</summary>
    public const int SettledSlot = 17;

    /// <summary>State entry: 1 once the matrix met its tolerance; later calls leave it (and its buffers) alone.</summary>
    public const int DoneSlot = 18;

    /// <summary>State entry: the iterations behind the last residual.</summary>
    public const int IterationsSlot = 19;

    /// <summary>Describes the matrices; the row and column offsets pack their blocks in this order.</summary>
    public SubspaceBatch(IReadOnlyList<Storage> weights, int[] rows, int[] cols, int[] block, int[] wanted)
    {
        int count = weights.Count;
        if (rows.Length != count || cols.Length != count || block.Length != count || wanted.Length != count)
            throw new ArgumentException($"A subspace batch needs rows, cols, block and wanted for each of its {count} matrices.");
        if (count == 0) throw new ArgumentException("A subspace batch needs at least one matrix.", nameof(weights));
        var dtype = weights[0].DType;
        RowOffset = new long[count];
        ColOffset = new long[count];
        for (int l = 0; l < count; l++)
        {
            if (weights[l].DType != dtype || dtype is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"Subspace batch matrix {l} is {weights[l].DType}; all must be Float32, or all Float64.", nameof(weights));
            if (weights[l].Backend != weights[0].Backend)
                throw new ArgumentException($"Subspace batch matrix {l} is on {weights[l].Backend.Name}, matrix 0 on {weights[0].Backend.Name}.", nameof(weights));
            if (rows[l] < 1 || cols[l] < 1 || (long)rows[l] * cols[l] > weights[l].Length)
                throw new ArgumentException($"Subspace batch matrix {l}: {rows[l]}×{cols[l]} does not fit its {weights[l].Length} elements.", nameof(rows));
            if (block[l] < 1 || block[l] > Math.Min(MaxBlock, Math.Min(rows[l], cols[l])) || wanted[l] < 1 || wanted[l] > block[l])
                throw new ArgumentException($"Subspace batch matrix {l} ({rows[l]}×{cols[l]}): block {block[l]} and wanted {wanted[l]} need 1 ≤ wanted ≤ block ≤ min(rows, cols, {MaxBlock}).", nameof(block));
            RowOffset[l] = RowLength;
            ColOffset[l] = ColLength;
            RowLength += (long)rows[l] * block[l];
            ColLength += (long)cols[l] * block[l];
        }
        Weights = weights;
        Rows = rows;
        Cols = cols;
        Block = block;
        Wanted = wanted;
        WeightType = dtype;
    }

    /// <summary>The matrices' storages.</summary>
    public IReadOnlyList<Storage> Weights { get; }

    /// <summary>Rows of each matrix.</summary>
    public int[] Rows { get; }

    /// <summary>Columns of each matrix.</summary>
    public int[] Cols { get; }

    /// <summary>Block width of each matrix.</summary>
    public int[] Block { get; }

    /// <summary>Leading singular triplets whose residual decides convergence.</summary>
    public int[] Wanted { get; }

    /// <summary>Where each matrix's Rows×Block block starts in a row-side buffer.</summary>
    public long[] RowOffset { get; }

    /// <summary>Where each matrix's Cols×Block block starts in a column-side buffer.</summary>
    public long[] ColOffset { get; }

    /// <summary>Elements of a row-side buffer.</summary>
    public long RowLength { get; }

    /// <summary>Elements of a column-side buffer.</summary>
    public long ColLength { get; }

    /// <summary>Elements of the state buffer.</summary>
    public long StateLength => (long)Count * StateStride;

    /// <summary>Number of matrices.</summary>
    public int Count => Rows.Length;

    /// <summary>The weights' dtype.</summary>
    public DType WeightType { get; }

    /// <summary>A backend's own form of this description (a device-side table), made once per batch.</summary>
    internal object? BackendData { get; set; }

    /// <summary>Frees what a backend made for this batch (the weights are not the batch's).</summary>
    public void Dispose()
    {
        (BackendData as IDisposable)?.Dispose();
        BackendData = null;
    }
}
