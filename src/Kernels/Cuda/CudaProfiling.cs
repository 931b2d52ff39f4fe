using RawGan.Engine.Profiling;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>The CUDA backend times its own work for the profiler: one event per mark, recorded on its stream.</summary>
public sealed partial class CudaBackend : IProfilingBackend
{
    /// <inheritdoc/>
    public IProfilerClock CreateProfilerClock() => new CudaEventClock(Context);
}

/// <summary>
/// Marks as CUDA events recorded on the context's stream; <see cref="Read"/> waits for the last one (after the
/// step) and measures each against the first, so that timing never synchronises inside a step. The events are
/// created once and reused from step to step.
/// </summary>
internal sealed class CudaEventClock(CudaContext context) : IProfilerClock
{
    private readonly List<IntPtr> _events = [];
    private int _count;

    public int Mark()
    {
        context.MakeCurrent();
        if (_count == _events.Count)
        {
            CudaDriver.Check(CudaDriver.cuEventCreate(out var evt, 0 /* CU_EVENT_DEFAULT: with timing */));
            _events.Add(evt);
        }
        CudaDriver.Check(CudaDriver.cuEventRecord(_events[_count], context.Stream));
        return _count++;
    }

    public void Read(Span<double> milliseconds)
    {
        if (_count == 0) return;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_events[_count - 1]));
        milliseconds[0] = 0;
        for (int i = 1; i < _count; i++)
        {
            CudaDriver.Check(CudaDriver.cuEventElapsedTime(out float ms, _events[0], _events[i]));
            milliseconds[i] = ms;
        }
    }

    public void Clear() => _count = 0;

    public void Dispose()
    {
        if (_events.Count == 0) return;
        context.MakeCurrent();
        foreach (var evt in _events) CudaDriver.cuEventDestroy(evt);
        _events.Clear();
    }
}
