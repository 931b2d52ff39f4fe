using System.Text;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// One device's primary context, its stream, its cuBLAS handle and its memory pool. The context is current
/// per thread, so every entry point calls <see cref="MakeCurrent"/> (cheap after the first time on a thread).
/// </summary>
public sealed partial class CudaContext : IDisposable
{
    // cuBLAS's recommended workspace on Hopper (4 MiB suffices before it).
    private const nuint BlasWorkspaceBytes = 32 << 20;

    [ThreadStatic] private static IntPtr _currentOnThread;

    private readonly IntPtr _context;
    private readonly ulong _blasWorkspace;
    private bool _disposed;

    private CudaContext(int ordinal)
    {
        var availability = CudaProbe.Availability;
        if (!availability.IsAvailable) throw new CudaException(availability.Message);
        if (ordinal < 0 || ordinal >= availability.DeviceCount)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"There are {availability.DeviceCount} CUDA device(s).");
        Ordinal = ordinal;
        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, ordinal));
        Device = device;
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, device));
        MakeCurrent();
        Name = DeviceName(device);
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int major, CudaDriver.AttrComputeCapabilityMajor, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int minor, CudaDriver.AttrComputeCapabilityMinor, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int sms, CudaDriver.AttrMultiprocessorCount, device));
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem(out nuint total, device));
        ComputeCapability = (major, minor);
        MultiprocessorCount = sms;
        TotalMemory = (long)total;

        CudaDriver.Check(CudaDriver.cuStreamCreate(out var stream, 1 /* CU_STREAM_NON_BLOCKING */));
        Stream = stream;
        ConfigurePool(device);
        CudaLibraries.EnsureResolver();
        CuBlas.Check(CuBlas.cublasCreate(out var blas));
        Blas = blas;
        CuBlas.Check(CuBlas.cublasSetStream(Blas, Stream));
        CuBlas.Check(CuBlas.cublasSetMathMode(Blas, CuBlas.DefaultMath));
        // cuBLAS would otherwise allocate its workspace on first use on the stream, which a graph capture forbids; set it
        // after cublasSetStream, which resets it.
        CudaDriver.Check(CudaDriver.cuMemAlloc(out var workspace, BlasWorkspaceBytes));
        _blasWorkspace = workspace;
        CuBlas.Check(CuBlas.cublasSetWorkspace(Blas, _blasWorkspace, BlasWorkspaceBytes));
    }

    /// <summary>Opens device <paramref name="ordinal"/>; throws a <see cref="CudaException"/> with the reason when CUDA is unavailable.</summary>
    public static CudaContext Open(int ordinal = 0) => new(ordinal);

    /// <summary>Device ordinal.</summary>
    public int Ordinal { get; }

    /// <summary>Driver device handle.</summary>
    public int Device { get; }

    /// <summary>The card's name.</summary>
    public string Name { get; }

    /// <summary>Compute capability (9, 0 for Hopper).</summary>
    public (int Major, int Minor) ComputeCapability { get; }

    /// <summary>Streaming multiprocessors.</summary>
    public int MultiprocessorCount { get; }

    /// <summary>Device memory in bytes.</summary>
    public long TotalMemory { get; }

    /// <summary>The stream every kernel, copy and cuBLAS call of this context runs on.</summary>
    public IntPtr Stream { get; }

    /// <summary>The cuBLAS handle bound to <see cref="Stream"/>.</summary>
    public IntPtr Blas { get; }

    /// <summary>Makes this context current on the calling thread.</summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_currentOnThread == _context) return;
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context));
        _currentOnThread = _context;
    }

    /// <summary>Waits for all work queued on the stream.</summary>
    public void Synchronize()
    {
        ThrowIfCapturing("Synchronize");
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamSynchronize(Stream));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        MakeCurrent();
        CudaDriver.cuStreamSynchronize(Stream);
        CuBlas.cublasDestroy(Blas);
        CudaDriver.cuMemFree(_blasWorkspace);
        CudaDriver.cuStreamDestroy(Stream);
        _disposed = true;
        _currentOnThread = IntPtr.Zero;
        CudaDriver.cuDevicePrimaryCtxRelease(Device);
    }

    // The stream-ordered pool keeps freed blocks when its release threshold is at the maximum: a caching allocator.
    private static unsafe void ConfigurePool(int device)
    {
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int pools, CudaDriver.AttrMemoryPoolsSupported, device));
        if (pools == 0) throw new CudaException("This device or driver does not support stream-ordered memory pools (cuMemAllocAsync).");
        CudaDriver.Check(CudaDriver.cuDeviceGetDefaultMemPool(out var pool, device));
        ulong threshold = ulong.MaxValue;
        CudaDriver.Check(CudaDriver.cuMemPoolSetAttribute(pool, CudaDriver.MemPoolAttrReleaseThreshold, &threshold));
    }

    private static unsafe string DeviceName(int device)
    {
        var buffer = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(buffer, 256, device));
        int len = 0;
        while (len < 256 && buffer[len] != 0) len++;
        return Encoding.UTF8.GetString(buffer, len);
    }
}
