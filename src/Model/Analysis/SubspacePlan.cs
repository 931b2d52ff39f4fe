using RawGan.Engine;

namespace RawGan.Model.Analysis;

/// <summary>
/// The device state of one batched subspace iteration over a fixed list of weight shapes: the current right
/// vectors V (the warm start of the next call), the scratch blocks Y (= W V, then Q), Z (= Wᵀ Q) and U (left Ritz
/// vectors), and the per-matrix state row. Raw storages rather than tensors, so that no enclosing
/// <see cref="TensorScope"/> frees what must outlive the call.
/// </summary>
internal sealed class SubspacePlan : IDisposable
{
    private readonly IBackend _backend;
    private readonly int[] _rows, _cols, _block, _wanted;
    private readonly double[] _hostState;
    private SubspaceBatch _batch;

    public SubspacePlan(IReadOnlyList<Tensor> weights, int[] block, int[] wanted)
    {
        _backend = weights[0].Backend;
        _rows = weights.Select(w => w.Shape[0]).ToArray();
        _cols = weights.Select(w => (int)(w.Numel / w.Shape[0])).ToArray();
        _block = block;
        _wanted = wanted;
        _batch = new SubspaceBatch(weights.Select(w => w.Storage).ToArray(), _rows, _cols, _block, _wanted);
        V = _backend.Allocate(DType.Float64, _batch.ColLength);
        Z = _backend.Allocate(DType.Float64, _batch.ColLength);
        Y = _backend.Allocate(DType.Float64, _batch.RowLength);
        U = _backend.Allocate(DType.Float64, _batch.RowLength);
        State = _backend.Allocate(DType.Float64, _batch.StateLength);
        _hostState = new double[_batch.StateLength];
        // A fixed pseudo-random start: an all-zero block orthonormalises to the hash-random one, so the same shapes
        // give the same iterates.
        _backend.Fill(V, 0);
        _backend.Fill(State, 0);
        _backend.SubspaceOrthonormalize(_batch, columnSide: true, V, State, seed: StartSeed);
    }

    /// <summary>The seed of the starting block's pseudo-random columns.</summary>
    public const ulong StartSeed = 0x5EED;

    public SubspaceBatch Batch => _batch;

    public Storage V { get; }

    public Storage Z { get; }

    public Storage Y { get; }

    public Storage U { get; }

    public Storage State { get; }

    public IBackend Backend => _backend;

    /// <summary>Iterations the slowest weight needed in the last call that ran to a read (0 before any): where the
    /// next, warm call reads first.</summary>
    public int LastIterations { get; set; }

    /// <summary>Points the batch at these weights' storages (the same shapes); keeps it when they are the same buffers.</summary>
    public void Bind(IReadOnlyList<Tensor> weights)
    {
        bool same = true;
        for (int l = 0; l < weights.Count && same; l++) same = ReferenceEquals(weights[l].Storage, _batch.Weights[l]);
        if (same) return;
        _batch.Dispose();
        _batch = new SubspaceBatch(weights.Select(w => w.Storage).ToArray(), _rows, _cols, _block, _wanted);
    }

    /// <summary>Copies the state rows to the host (one synchronisation) and returns them.</summary>
    public double[] ReadState()
    {
        _backend.CopyToHost<double>(State, 0, _hostState);
        return _hostState;
    }

    public void Dispose()
    {
        _batch.Dispose();
        V.Dispose();
        Z.Dispose();
        Y.Dispose();
        U.Dispose();
        State.Dispose();
    }
}
