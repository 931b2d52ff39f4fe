using RawGan.Engine;
using static RawGan.Kernels.Ops.SubspaceKernels;

namespace RawGan.Kernels.Cuda;

// The subspace iteration of the singular-value tracer (kernels-cu/subspace.cu): one launch per step for the whole
// batch of weights, driven by a table of the matrices that is uploaded once per batch.
public sealed partial class CudaBackend
{
    // Row i64s per matrix in the table, as SV_TABLE; rows per product task (SV_ROWS) and columns per transposed one.
    private const int SubspaceTableStride = 9;
    private const int SubspaceRowsPerTask = 8;
    private const int SubspaceColumnsPerTask = 32;
    private const uint SubspaceBlock = 256;

    /// <inheritdoc/>
    public void SubspaceProduct(SubspaceBatch batch, bool transpose, Storage x, Storage y, Storage state)
    {
        var table = SubspaceTable(batch);
        long tasks = transpose ? table.ColumnTasks : table.RowTasks;
        var kernel = (transpose ? ProductTransposed : Product).For(batch.WeightType);
        uint grid = (uint)Math.Min(tasks, Context.MultiprocessorCount * 8L);
        Launch(kernel, grid, SubspaceBlock, 0, Ptr(table.Rows), batch.Count, tasks, Ptr(x), Ptr(y), Ptr(state));
    }

    /// <inheritdoc/>
    public void SubspaceOrthonormalize(SubspaceBatch batch, bool columnSide, Storage x, Storage state, ulong seed) =>
        Launch(Orthonormalize, (uint)batch.Count, SubspaceBlock, 0, Ptr(SubspaceTable(batch).Rows), batch.Count, Ptr(x), Ptr(state), columnSide ? 1 : 0, seed);

    /// <inheritdoc/>
    public void SubspaceRayleighRitz(SubspaceBatch batch, Storage q, Storage z, Storage u, Storage v, Storage state, int iteration, double settle) =>
        Launch(RayleighRitz, (uint)batch.Count, SubspaceBlock, 0, Ptr(SubspaceTable(batch).Rows), batch.Count, Ptr(q), Ptr(z), Ptr(u), Ptr(v), Ptr(state), iteration, settle);

    /// <inheritdoc/>
    public void SubspaceResidual(SubspaceBatch batch, Storage y, Storage u, Storage state, int iteration, double tolerance) =>
        Launch(Residual, (uint)batch.Count, SubspaceBlock, 0, Ptr(SubspaceTable(batch).Rows), batch.Count, Ptr(y), Ptr(u), Ptr(state), iteration, tolerance);

    // The batch's table on this device, made and uploaded on first use (the batch keeps it and frees it with itself).
    private SubspaceDeviceTable SubspaceTable(SubspaceBatch batch)
    {
        if (batch.BackendData is SubspaceDeviceTable cached) return cached;
        var rows = new long[batch.Count * SubspaceTableStride];
        long rowTasks = 0, columnTasks = 0;
        for (int l = 0; l < batch.Count; l++)
        {
            var row = rows.AsSpan(l * SubspaceTableStride, SubspaceTableStride);
            row[0] = (long)Ptr(batch.Weights[l]);
            row[1] = batch.Rows[l];
            row[2] = batch.Cols[l];
            row[3] = batch.Block[l];
            row[4] = batch.Wanted[l];
            row[5] = batch.RowOffset[l];
            row[6] = batch.ColOffset[l];
            row[7] = rowTasks;
            row[8] = columnTasks;
            rowTasks += (batch.Rows[l] + SubspaceRowsPerTask - 1) / SubspaceRowsPerTask;
            columnTasks += (batch.Cols[l] + SubspaceColumnsPerTask - 1) / SubspaceColumnsPerTask;
        }
        // Float64 storage holds the i64 rows bit for bit (same element size).
        var storage = Allocate(DType.Float64, rows.Length);
        CopyFromHost<long>(rows, storage, 0);
        var table = new SubspaceDeviceTable(storage, rowTasks, columnTasks);
        batch.BackendData = table;
        return table;
    }

    private sealed record SubspaceDeviceTable(Storage Rows, long RowTasks, long ColumnTasks) : IDisposable
    {
        public void Dispose() => Rows.Dispose();
    }
}
