namespace RawGan.Engine.Profiling;

/// <summary>
/// The work one op declares to the profiler: floating-point operations (a multiply-add counts 2) and compulsory
/// bytes (every input read once, every output written once). The profiler divides them by the op's measured time
/// to give achieved FLOP/s and bytes/s. Memory-bound ops declare bytes only.
/// </summary>
public readonly record struct OpCost(long Flops, long Bytes)
{
    /// <summary>A memory-bound op over elements of <paramref name="dtype"/>: elements read plus elements written.</summary>
    public static OpCost Memory(DType dtype, long elementsRead, long elementsWritten) =>
        new(0, (elementsRead + elementsWritten) * dtype.SizeInBytes());

    /// <summary>
    /// <paramref name="batch"/> products op(A)·op(B) of (m×k)·(k×n): 2·m·n·k FLOPs each, A and B read and C written
    /// once (beta = 0).
    /// </summary>
    public static OpCost Gemm(DType dtype, long batch, long m, long n, long k) =>
        new(2 * batch * m * n * k, batch * (m * k + k * n + m * n) * dtype.SizeInBytes());

    /// <summary>
    /// One pass of a convolution (forward, backward-data and backward-weight cost the same): 2·N·K·OH·OW·C·R·S
    /// FLOPs; the two operands read and the result written once.
    /// </summary>
    public static OpCost Conv2d(DType dtype, in Conv2dGeometry g)
    {
        long x = (long)g.N * g.C * g.H * g.W, w = (long)g.K * g.C * g.R * g.S, y = (long)g.N * g.K * g.OutH * g.OutW;
        return new(2 * g.MacCount, (x + w + y) * dtype.SizeInBytes());
    }

    /// <summary>The sum of two costs.</summary>
    public static OpCost operator +(OpCost a, OpCost b) => new(a.Flops + b.Flops, a.Bytes + b.Bytes);
}
