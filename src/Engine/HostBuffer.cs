namespace RawGan.Engine;

/// <summary>
/// Host memory that a backend copies to and from without stopping the host: page-locked on CUDA, so the copy engine
/// reads and writes it directly while the host goes on (<see cref="IBackend.CopyFromHostAsync"/>,
/// <see cref="IBackend.CopyToHostAsync"/>). The bytes of a copy in flight are the device's: touch them only after a
/// <see cref="DeviceEvent"/> recorded after the copy has completed, and dispose the buffer only then.
/// </summary>
public abstract unsafe class HostBuffer : IDisposable
{
    /// <summary>A buffer of <paramref name="bytes"/> bytes at <paramref name="address"/> (stable for its life).</summary>
    protected HostBuffer(IntPtr address, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Address = address;
        Bytes = bytes;
    }

    /// <summary>The address of byte 0.</summary>
    public IntPtr Address { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Elements [offset, offset + count) of the buffer viewed as an array of T.</summary>
    public Span<T> AsSpan<T>(long offset, int count) where T : unmanaged
    {
        CheckRange(offset, count, sizeof(T));
        return new Span<T>((T*)Address + offset, count);
    }

    /// <summary>Throws unless the buffer is alive and elements [offset, offset + count) of <paramref name="elementSize"/> bytes lie inside it.</summary>
    public void CheckRange(long offset, long count, int elementSize)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (offset < 0 || count < 0 || (offset + count) * elementSize > Bytes)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Elements [{offset}, {offset + count}) of {elementSize} bytes are outside a host buffer of {Bytes} bytes.");
    }

    /// <summary>Returns the memory (after any copy from or to it has completed).</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the memory to whoever allocated it.</summary>
    protected abstract void Free();
}

/// <summary>
/// A point in a backend's queue of work (<see cref="IBackend.RecordEvent"/>): complete once everything queued before
/// it has run. The host waits on it instead of on the whole device.
/// </summary>
public abstract class DeviceEvent : IDisposable
{
    /// <summary>True once the work queued before the event has run (never blocks).</summary>
    public abstract bool IsComplete { get; }

    /// <summary>Blocks until the work queued before the event has run.</summary>
    public abstract void Wait();

    /// <summary>Releases the event.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backend's handle.</summary>
    protected virtual void Release()
    {
    }
}
