using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// Device memory from the context's stream-ordered pool, uninitialised (the allocation contract of
/// <see cref="IBackend.Allocate"/>: kernels overwrite their outputs, so a zero-fill would be one more write of every
/// temporary); freed on the stream when its last holder goes.
/// </summary>
internal sealed class CudaStorage : Storage
{
    private readonly CudaContext _context;

    public CudaStorage(CudaBackend backend, DType dtype, long length) : base(backend, dtype, length)
    {
        _context = backend.Context;
        _context.MakeCurrent();
        if (Bytes == 0) return;
        try
        {
            CudaDriver.Check(CudaDriver.cuMemAllocAsync(out var ptr, (nuint)Bytes, _context.Stream));
            Pointer = ptr;
            if (UninitializedMemory.Poison) CudaDriver.Check(CudaDriver.cuMemsetD8Async(Pointer, 0xFF, (nuint)Bytes, _context.Stream));
        }
        catch
        {
            Dispose(); // takes the bytes back out of the backend's statistics
            throw;
        }
    }

    /// <summary>The device address of element 0.</summary>
    public ulong Pointer { get; private set; }

    /// <summary>The device address of element <paramref name="offset"/>.</summary>
    public ulong At(long offset) => Pointer + (ulong)(offset * DType.SizeInBytes());

    protected override void Free()
    {
        if (Pointer == 0) return;
        _context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemFreeAsync(Pointer, _context.Stream));
        Pointer = 0;
    }
}
