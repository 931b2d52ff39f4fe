using System.Diagnostics;
using System.Runtime.InteropServices;

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

/// <summary>
/// The CPU time the whole process has used (every thread), instead of the time on the wall: on a machine shared
/// with other work, wall time also counts the time spent waiting for a core. Linux only (clock_gettime).
/// </summary>
internal sealed partial class ProcessCpuClock : IProfilerClock
{
    private const int ClockProcessCpuTime = 2; // CLOCK_PROCESS_CPUTIME_ID
    private long[] _nanoseconds = new long[1024];
    private int _count;

    public ProcessCpuClock()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The CPU-time profiler clock needs Linux; use the wall clock.");
    }

    public int Mark()
    {
        if (_count == _nanoseconds.Length) Array.Resize(ref _nanoseconds, 2 * _nanoseconds.Length);
        clock_gettime(ClockProcessCpuTime, out var t);
        _nanoseconds[_count] = t.Seconds * 1_000_000_000 + t.Nanoseconds;
        return _count++;
    }

    public void Read(Span<double> milliseconds)
    {
        for (int i = 0; i < _count; i++) milliseconds[i] = (_nanoseconds[i] - _nanoseconds[0]) / 1e6;
    }

    public void Clear() => _count = 0;

    public void Dispose() { }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
