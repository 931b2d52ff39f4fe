using System.Runtime.CompilerServices;
using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaContext
{
    // Storages still alive when their capture failed: their graph addresses were never backed, so they are never freed.
    private readonly ConditionalWeakTable<CudaStorage, CudaGraphCapture> _abandoned = new();
    private bool _anyAbandoned;

    /// <summary>The graph capture in progress on this context's stream, or null.</summary>
    internal CudaGraphCapture? Capture { get; private set; }

    /// <summary>Throws <see cref="GraphCaptureException"/> naming <paramref name="operation"/> when this thread is capturing a graph.</summary>
    internal void ThrowIfCapturing(string operation)
    {
        if (Capture is { } c && c.ThreadId == Environment.CurrentManagedThreadId) throw GraphCaptureException.NotCapturable(operation);
    }

    /// <summary>Called for every new device allocation: inside a capture it is graph memory, tracked until freed.</summary>
    internal void Allocated(CudaStorage s) => Capture?.Track(s);

    /// <summary>
    /// Whether <paramref name="s"/> goes back with a stream-ordered free. Inside a capture only the capture's own
    /// allocations may be freed (a free node); memory of a failed capture was never backed and is not freed at all.
    /// </summary>
    internal bool MayFree(CudaStorage s)
    {
        if (Capture is { } capture)
        {
            if (!capture.Owns(s)) throw GraphCaptureException.ForeignFree(s.Bytes);
            return !capture.IsInvalidated(Stream);
        }
        return !_anyAbandoned || !_abandoned.TryGetValue(s, out _);
    }

    /// <summary>Starts recording this stream's work (only the calling thread is barred from unsafe calls).</summary>
    internal void BeginCapture()
    {
        if (Capture is not null) throw new InvalidOperationException("A CUDA graph capture is already in progress on this device; captures do not nest.");
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamBeginCapture(Stream, CudaDriver.StreamCaptureModeThreadLocal));
        Capture = new CudaGraphCapture(Environment.CurrentManagedThreadId);
    }

    /// <summary>Ends the capture and returns its graph; discards it and throws when memory allocated inside is still alive.</summary>
    internal IntPtr EndCapture()
    {
        var capture = Capture ?? throw new InvalidOperationException("No CUDA graph capture is in progress.");
        Capture = null;
        MakeCurrent();
        IntPtr graph = IntPtr.Zero;
        try
        {
            CudaDriver.Check(CudaDriver.cuStreamEndCapture(Stream, out graph));
            var leaked = capture.Alive();
            if (leaked.Count > 0) throw GraphCaptureException.Leaked(leaked.Count, leaked.Sum(s => s.Bytes));
            return graph;
        }
        catch
        {
            if (graph != IntPtr.Zero) CudaDriver.cuGraphDestroy(graph);
            Abandon(capture);
            throw;
        }
    }

    /// <summary>Ends a capture whose body threw: the partial graph is discarded and its memory never existed.</summary>
    internal void AbortCapture()
    {
        if (Capture is not { } capture) return;
        Capture = null;
        MakeCurrent();
        if (CudaDriver.cuStreamEndCapture(Stream, out var graph) == CudaDriver.Success && graph != IntPtr.Zero) CudaDriver.cuGraphDestroy(graph);
        Abandon(capture);
    }

    private void Abandon(CudaGraphCapture capture)
    {
        foreach (var s in capture.Alive())
        {
            _abandoned.AddOrUpdate(s, capture);
            _anyAbandoned = true;
        }
    }
}

/// <summary>One graph capture in progress: the thread recording it and the device memory allocated inside it.</summary>
internal sealed class CudaGraphCapture(int threadId)
{
    private readonly HashSet<CudaStorage> _allocated = new(ReferenceEqualityComparer.Instance);

    /// <summary>The managed thread that began the capture.</summary>
    public int ThreadId { get; } = threadId;

    public void Track(CudaStorage s)
    {
        lock (_allocated) _allocated.Add(s);
    }

    public bool Owns(CudaStorage s)
    {
        lock (_allocated) return _allocated.Contains(s);
    }

    /// <summary>The capture's allocations not yet freed.</summary>
    public List<CudaStorage> Alive()
    {
        lock (_allocated) return _allocated.Where(s => !s.IsReleased).ToList();
    }

    /// <summary>True when an error invalidated the capture (its frees would fail, and its graph is lost anyway).</summary>
    public bool IsInvalidated(IntPtr stream) =>
        CudaDriver.cuStreamIsCapturing(stream, out int status) == CudaDriver.Success && status == CudaDriver.StreamCaptureStatusInvalidated;
}
