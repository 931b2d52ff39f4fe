namespace RawGan.Engine.Backends.Cpu;

/// <summary>Host memory for the CPU backend: a managed array of T, uninitialised (the allocation contract of <see cref="IBackend.Allocate"/>).</summary>
internal sealed class CpuStorage<T> : Storage where T : unmanaged
{
    public CpuStorage(CpuBackend backend, long length) : base(backend, DTypeExtensions.Of<T>(), length)
    {
        Data = GC.AllocateUninitializedArray<T>(checked((int)length));
        if (UninitializedMemory.Poison) System.Runtime.InteropServices.MemoryMarshal.AsBytes(Data.AsSpan()).Fill(0xFF);
    }

    /// <summary>The elements; only CPU kernels touch them.</summary>
    public T[] Data { get; private set; }

    protected override void Free() => Data = [];
}
