namespace RawGan.Engine;

/// <summary>
/// A flat buffer of elements owned by a backend. Tensors hold storage; views (reshape) share it.
/// The memory may live on a device: only the owning backend reads or writes it. Each storage counts itself in its
/// backend's <see cref="IBackend.Memory"/> from creation until its last holder releases it.
/// </summary>
public abstract class Storage : IDisposable
{
    private int _refs = 1;

    /// <summary>Creates storage for <paramref name="length"/> elements of <paramref name="dtype"/>.</summary>
    protected Storage(IBackend backend, DType dtype, long length)
    {
        Backend = backend;
        DType = dtype;
        Length = length;
        Bytes = length * dtype.SizeInBytes();
        backend.Memory.Allocated(Bytes);
    }

    /// <summary>The backend whose kernels read and write this memory.</summary>
    public IBackend Backend { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>How many tensors hold this storage (a tensor and its views); 0 once released.</summary>
    internal int Holders => Volatile.Read(ref _refs);

    /// <summary>True once every holder released it.</summary>
    public bool IsReleased => _refs <= 0;

    /// <summary>Adds a holder (a view sharing this storage).</summary>
    internal Storage Retain()
    {
        ObjectDisposedException.ThrowIf(_refs <= 0, this);
        Interlocked.Increment(ref _refs);
        return this;
    }

    /// <summary>Releases one holder; the memory is freed when the last one goes.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            Free();
            Backend.Memory.Freed(Bytes);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the memory to the backend.</summary>
    protected abstract void Free();
}
