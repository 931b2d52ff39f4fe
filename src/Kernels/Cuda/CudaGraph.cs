using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend : IGraphCapture
{
    /// <inheritdoc/>
    /// <remarks>
    /// Stream capture of the one stream every kernel, copy and cuBLAS call runs on. Allocations inside come from the
    /// stream-ordered allocator, which records them as graph memory nodes; cuBLAS uses the workspace set at start.
    /// Kernels must have been loaded before (run the work once eagerly): loading a module is not a stream operation.
    /// </remarks>
    public IDeviceGraph Capture(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Context.BeginCapture();
        try
        {
            body();
        }
        catch
        {
            Context.AbortCapture();
            throw;
        }
        var graph = Context.EndCapture();
        try
        {
            CudaDriver.Check(CudaDriver.cuGraphInstantiate(out var exec, graph, 0));
            return new CudaGraph(Context, graph, exec);
        }
        catch
        {
            CudaDriver.cuGraphDestroy(graph);
            throw;
        }
    }
}

/// <summary>A captured CUDA graph and its executable instance, launched on the context's stream.</summary>
internal sealed class CudaGraph(CudaContext context, IntPtr graph, IntPtr exec) : IDeviceGraph
{
    private bool _disposed;

    /// <inheritdoc/>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        context.ThrowIfCapturing("Launching a CUDA graph");
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuGraphLaunch(exec, context.Stream));
    }

    /// <summary>Destroys the executable and the graph (a launch in flight finishes first).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuGraphExecDestroy(exec));
        CudaDriver.Check(CudaDriver.cuGraphDestroy(graph));
    }
}
