using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public HostBuffer AllocateHost(long bytes)
    {
        Context.ThrowIfCapturing("AllocateHost");
        return new CudaHostBuffer(Context, bytes);
    }

    /// <inheritdoc/>
    /// <remarks>From page-locked memory (<see cref="AllocateHost"/>) the copy engine runs it while the host goes on.</remarks>
    public unsafe void CopyFromHostAsync(HostBuffer src, long srcOffset, Storage dst, long dstOffset, long count)
    {
        Context.ThrowIfCapturing("CopyFromHostAsync");
        var d = DeviceStorage(dst);
        CheckRange(d, dstOffset, count);
        int size = dst.DType.SizeInBytes();
        src.CheckRange(srcOffset, count, size);
        if (count == 0) return;
        Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(d.At(dstOffset), (byte*)src.Address + srcOffset * size, (nuint)(count * size), Context.Stream));
    }

    /// <inheritdoc/>
    public unsafe void CopyToHostAsync(Storage src, long srcOffset, HostBuffer dst, long dstOffset, long count)
    {
        Context.ThrowIfCapturing("CopyToHostAsync");
        var s = DeviceStorage(src);
        CheckRange(s, srcOffset, count);
        int size = src.DType.SizeInBytes();
        dst.CheckRange(dstOffset, count, size);
        if (count == 0) return;
        Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync((byte*)dst.Address + dstOffset * size, s.At(srcOffset), (nuint)(count * size), Context.Stream));
    }

    /// <inheritdoc/>
    public DeviceEvent RecordEvent()
    {
        Context.ThrowIfCapturing("RecordEvent");
        return new CudaEvent(Context);
    }
}

/// <summary>Page-locked host memory (cuMemHostAlloc): the copy engine reads and writes it directly.</summary>
internal sealed class CudaHostBuffer(CudaContext context, long bytes) : HostBuffer(Allocate(context, bytes), bytes)
{
    protected override void Free()
    {
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemFreeHost(Address));
    }

    private static IntPtr Allocate(CudaContext context, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var address, (nuint)Math.Max(bytes, 1), 0));
        return address;
    }
}

/// <summary>An event recorded on the context's stream (no timing data).</summary>
internal sealed class CudaEvent : DeviceEvent
{
    private readonly CudaContext _context;
    private IntPtr _event;

    public CudaEvent(CudaContext context)
    {
        _context = context;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out _event, CudaDriver.EventDisableTiming));
        int recorded = CudaDriver.cuEventRecord(_event, context.Stream);
        if (recorded != CudaDriver.Success)
        {
            CudaDriver.cuEventDestroy(_event);
            CudaDriver.Check(recorded, "cuEventRecord");
        }
    }

    public override bool IsComplete
    {
        get
        {
            _context.MakeCurrent();
            int result = CudaDriver.cuEventQuery(_event);
            if (result == CudaDriver.ErrorNotReady) return false;
            CudaDriver.Check(result, "cuEventQuery");
            return true;
        }
    }

    public override void Wait()
    {
        _context.ThrowIfCapturing("Waiting for a device event");
        _context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_event));
    }

    protected override void Release()
    {
        if (_event == IntPtr.Zero) return;
        _context.MakeCurrent();
        CudaDriver.cuEventDestroy(_event);
        _event = IntPtr.Zero;
    }
}
