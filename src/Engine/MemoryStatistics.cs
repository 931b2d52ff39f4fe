namespace RawGan.Engine;

/// <summary>
/// One backend's allocator statistics, as <c>torch.cuda.memory_stats</c> keeps them: the bytes its live storages hold
/// now, the most they held at once, and how many storages (and bytes) were allocated. <see cref="ResetPeak"/> starts
/// a measurement (a training step, a benchmark iteration): the peak restarts from the current bytes and the counts
/// from zero. Every <see cref="Storage"/> reports itself here when created and when its last holder releases it, so
/// kernels' own workspaces count too. Thread-safe.
/// </summary>
public sealed class MemoryStatistics
{
    private long _current, _peak, _allocations, _allocatedBytes;

    /// <summary>Bytes held by live storages now.</summary>
    public long CurrentBytes => Interlocked.Read(ref _current);

    /// <summary>The most bytes held at once since the last <see cref="ResetPeak"/> (or since the backend opened).</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    /// <summary>Storages allocated since the last <see cref="ResetPeak"/>.</summary>
    public long Allocations => Interlocked.Read(ref _allocations);

    /// <summary>Bytes allocated since the last <see cref="ResetPeak"/> (freed ones included).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Starts a new measurement: the peak becomes the current bytes, the counts restart from zero.</summary>
    public void ResetPeak()
    {
        Interlocked.Exchange(ref _allocations, 0);
        Interlocked.Exchange(ref _allocatedBytes, 0);
        Interlocked.Exchange(ref _peak, CurrentBytes);
    }

    internal void Allocated(long bytes)
    {
        Interlocked.Increment(ref _allocations);
        Interlocked.Add(ref _allocatedBytes, bytes);
        long now = Interlocked.Add(ref _current, bytes), peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
    }

    internal void Freed(long bytes) => Interlocked.Add(ref _current, -bytes);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{CurrentBytes / 1e6:F1} MB held, peak {PeakBytes / 1e6:F1} MB, {Allocations} allocations ({AllocatedBytes / 1e6:F1} MB)";
}
