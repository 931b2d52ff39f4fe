namespace RawGan.Engine.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array of T, uninitialised (the allocation contract of <see cref="IBackend.Allocate"/>), large ones reused through <see cref="CpuArrayPool{T}"/>.</summary>
internal sealed class CpuStorage<T> : Storage where T : unmanaged
{
    public CpuStorage(CpuBackend backend, long length) : base(backend, DTypeExtensions.Of<T>(), length)
    {
        Data = CpuArrayPool<T>.Rent(checked((int)length));
        if (UninitializedMemory.Poison) System.Runtime.InteropServices.MemoryMarshal.AsBytes(Data.AsSpan()).Fill(0xFF);
    }

    /// <summary>The elements; only CPU kernels touch them.</summary>
    public T[] Data { get; private set; }

    protected override void Free()
    {
        CpuArrayPool<T>.Return(Data);
        Data = [];
    }
}
