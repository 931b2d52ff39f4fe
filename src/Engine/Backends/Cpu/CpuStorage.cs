namespace RawGan.Engine.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array of T.</summary>
internal sealed class CpuStorage<T> : Storage where T : unmanaged
{
    public CpuStorage(CpuBackend backend, long length) : base(backend, DTypeExtensions.Of<T>(), length)
    {
        if (length > Array.MaxLength)
            throw new OutOfMemoryException($"A CPU tensor of {length} elements exceeds the largest array .NET allows ({Array.MaxLength}).");
        Data = new T[length];
    }

    /// <summary>The elements; only CPU kernels touch them.</summary>
    public T[] Data { get; private set; }

    protected override void Free() => Data = [];
}
