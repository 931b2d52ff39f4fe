using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>Device memory from the context's stream-ordered pool; freed on the stream when its last holder goes.</summary>
internal sealed class CudaStorage : Storage
{
    private readonly CudaContext _context;

    public CudaStorage(CudaBackend backend, DType dtype, long length) : base(backend, dtype, length)
    {
        _context = backend.Context;
        Bytes = length * dtype.SizeInBytes();
        _context.MakeCurrent();
        if (Bytes > 0)
        {
            CudaDriver.Check(CudaDriver.cuMemAllocAsync(out var ptr, (nuint)Bytes, _context.Stream));
            Pointer = ptr;
            CudaDriver.Check(CudaDriver.cuMemsetD8Async(Pointer, 0, (nuint)Bytes, _context.Stream));
            _context.Allocated(this);
        }
    }

    /// <summary>The device address of element 0.</summary>
    public ulong Pointer { get; private set; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The device address of element <paramref name="offset"/>.</summary>
    public ulong At(long offset) => Pointer + (ulong)(offset * DType.SizeInBytes());

    protected override void Free()
    {
        if (Pointer == 0) return;
        _context.MakeCurrent();
        if (_context.MayFree(this)) CudaDriver.Check(CudaDriver.cuMemFreeAsync(Pointer, _context.Stream));
        Pointer = 0;
    }
}
