namespace RawGan.Engine.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array of T, large ones reused through <see cref="CpuArrayPool{T}"/>.</summary>
internal sealed class CpuStorage<T> : Storage where T : unmanaged
{
    public CpuStorage(CpuBackend backend, long length) : base(backend, DTypeExtensions.Of<T>(), length)
    {
        if (length > Array.MaxLength)
            throw new OutOfMemoryException($"A CPU tensor of {length} elements exceeds the largest array .NET allows ({Array.MaxLength}).");
        Data = CpuArrayPool<T>.Rent((int)length);
    }

    /// <summary>The elements; only CPU kernels touch them.</summary>
    public T[] Data { get; private set; }

    protected override void Free()
    {
        CpuArrayPool<T>.Return(Data);
        Data = [];
    }
}
