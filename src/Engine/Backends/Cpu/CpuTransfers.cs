using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public HostBuffer AllocateHost(long bytes) => new CpuHostBuffer(bytes);

    // Host memory is the CPU's own: an "asynchronous" copy is done when it returns, and every event is complete.
    public void CopyFromHostAsync(HostBuffer src, long srcOffset, Storage dst, long dstOffset, long count)
    {
        int n = checked((int)count);
        switch (dst.DType)
        {
            case DType.Float32: CopyFromHost<float>(src.AsSpan<float>(srcOffset, n), dst, dstOffset); break;
            case DType.Float64: CopyFromHost<double>(src.AsSpan<double>(srcOffset, n), dst, dstOffset); break;
            default: CopyFromHost<int>(src.AsSpan<int>(srcOffset, n), dst, dstOffset); break;
        }
    }

    public void CopyToHostAsync(Storage src, long srcOffset, HostBuffer dst, long dstOffset, long count)
    {
        int n = checked((int)count);
        switch (src.DType)
        {
            case DType.Float32: CopyToHost(src, srcOffset, dst.AsSpan<float>(dstOffset, n)); break;
            case DType.Float64: CopyToHost(src, srcOffset, dst.AsSpan<double>(dstOffset, n)); break;
            default: CopyToHost(src, srcOffset, dst.AsSpan<int>(dstOffset, n)); break;
        }
    }

    public DeviceEvent RecordEvent() => CompletedEvent.Instance;

    private sealed class CompletedEvent : DeviceEvent
    {
        public static CompletedEvent Instance { get; } = new();

        public override bool IsComplete => true;

        public override void Wait()
        {
        }
    }
}

/// <summary>A host buffer of the CPU backend: a pinned managed array (stable address, freed by the GC once dropped).</summary>
internal sealed unsafe class CpuHostBuffer : HostBuffer
{
    private byte[]? _bytes;

    public CpuHostBuffer(long bytes) : this(GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true))
    {
    }

    private CpuHostBuffer(byte[] bytes) : base((IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes)), bytes.Length) =>
        _bytes = bytes;

    protected override void Free() => _bytes = null;
}
