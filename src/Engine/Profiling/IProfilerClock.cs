using System.Diagnostics;

namespace RawGan.Engine.Profiling;

/// <summary>
/// Timestamps in the order a device executes work. On the CPU a mark is the time of the call; on a GPU it is an
/// event recorded on the stream, read only after the step, so that timing adds no synchronisation inside it.
/// </summary>
public interface IProfilerClock : IDisposable
{
    /// <summary>Records a timestamp at this point of the device's work; returns its index since the last <see cref="Clear"/>.</summary>
    int Mark();

    /// <summary>Waits for the device where needed, then writes each mark's time in milliseconds after mark 0.</summary>
    void Read(Span<double> milliseconds);

    /// <summary>Forgets the marks (the next one has index 0).</summary>
    void Clear();
}

/// <summary>A backend that times its own work (CUDA events); backends without it are timed by a stopwatch.</summary>
public interface IProfilingBackend
{
    /// <summary>A new clock whose marks follow this backend's order of execution.</summary>
    IProfilerClock CreateProfilerClock();
}

/// <summary>The CPU's clock: <see cref="Stopwatch"/> timestamps, since the CPU backend runs each op to completion.</summary>
internal sealed class StopwatchClock : IProfilerClock
{
    private long[] _ticks = new long[1024];
    private int _count;

    public int Mark()
    {
        if (_count == _ticks.Length) Array.Resize(ref _ticks, 2 * _ticks.Length);
        _ticks[_count] = Stopwatch.GetTimestamp();
        return _count++;
    }

    public void Read(Span<double> milliseconds)
    {
        for (int i = 0; i < _count; i++) milliseconds[i] = (_ticks[i] - _ticks[0]) * 1000.0 / Stopwatch.Frequency;
    }

    public void Clear() => _count = 0;

    public void Dispose() { }
}
