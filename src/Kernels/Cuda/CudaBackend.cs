using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// The CUDA backend: the same <see cref="IBackend"/> contract as the CPU backend, on one device and one
/// stream. Our kernels come from the committed PTX (kernels-cu/), matrix products from cuBLAS. One op
/// family per file, each calling the typed launchers in src/Kernels/Ops.
/// </summary>
public sealed partial class CudaBackend : IBackend, IDisposable
{
    private const int BlockSize = 256;
    private readonly PtxModules _modules;

    private CudaBackend(CudaContext context)
    {
        Context = context;
        _modules = new PtxModules(context);
    }

    /// <summary>Opens device <paramref name="ordinal"/>; throws <see cref="CudaException"/> with the reason when CUDA is unavailable.</summary>
    public static CudaBackend Open(int ordinal = 0) => new(CudaContext.Open(ordinal));

    /// <summary>
    /// Makes CUDA the default device when a GPU is present; returns the one-line reason otherwise (the engine then
    /// stays on the CPU).
    /// </summary>
    public static string TryRegisterDefault()
    {
        var availability = CudaProbe.Availability;
        if (!availability.IsAvailable) return availability.Message;
        var backend = Open();
        RawGan.Engine.Device.Default = RawGan.Engine.Device.For(backend);
        return $"Using {backend.Name}: {backend.Context.Name}.";
    }

    /// <summary>The device context this backend runs on.</summary>
    public CudaContext Context { get; }

    /// <inheritdoc/>
    public string Name => $"cuda:{Context.Ordinal}";

    /// <summary>Waits for all queued work (benchmarks and timing).</summary>
    public void Synchronize() => Context.Synchronize();

    /// <inheritdoc/>
    public void Dispose()
    {
        _modules.Dispose();
        Context.Dispose();
    }

    // ---- memory ----------------------------------------------------------------------------

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long length) => new CudaStorage(this, dtype, length);

    /// <inheritdoc/>
    public MemoryStatistics Memory { get; } = new();

    /// <inheritdoc/>
    public unsafe void CopyFromHost<T>(ReadOnlySpan<T> src, Storage dst, long dstOffset) where T : unmanaged
    {
        var d = DeviceStorage(dst);
        CheckRange(d, dstOffset, src.Length);
        if (src.IsEmpty) return;
        Context.MakeCurrent();
        fixed (T* p = src)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(d.At(dstOffset), p, (nuint)(src.Length * sizeof(T)), Context.Stream));
            // The host span may go away when we return: wait for the copy.
            CudaDriver.Check(CudaDriver.cuStreamSynchronize(Context.Stream));
        }
    }

    /// <inheritdoc/>
    public unsafe void CopyToHost<T>(Storage src, long srcOffset, Span<T> dst) where T : unmanaged
    {
        var s = DeviceStorage(src);
        CheckRange(s, srcOffset, dst.Length);
        if (dst.IsEmpty) return;
        Context.MakeCurrent();
        fixed (T* p = dst)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(p, s.At(srcOffset), (nuint)(dst.Length * sizeof(T)), Context.Stream));
            CudaDriver.Check(CudaDriver.cuStreamSynchronize(Context.Stream));
        }
    }

    // ---- launching ---------------------------------------------------------------------------

    /// <summary>Launches a kernel after checking the arguments against its declared PTX signature.</summary>
    internal unsafe void Launch(KernelEntry entry, uint grid, uint block, uint sharedBytes, params ReadOnlySpan<KernelArg> args)
    {
        if (args.Length != entry.Parameters.Count)
            throw new ArgumentException($"{entry} takes {entry.Parameters.Count} arguments, got {args.Length}.");
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].Type != entry.Parameters[i])
                throw new ArgumentException($"{entry}: argument {i} is {args[i].Type}, the kernel expects {entry.Parameters[i]}.");
        }
        if (grid == 0) return; // nothing to do
        Context.MakeCurrent();
        var function = _modules.Function(entry);
        ulong* values = stackalloc ulong[args.Length];
        void** pointers = stackalloc void*[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            values[i] = args[i].Bits; // little-endian: a 4-byte parameter reads the low half
            pointers[i] = &values[i];
        }
        int result = CudaDriver.cuLaunchKernel(function, grid, 1, 1, block, 1, 1, sharedBytes, Context.Stream, pointers, null);
        if (result != CudaDriver.Success)
            throw new CudaException($"cuLaunchKernel of {entry.Name} (grid {grid}, block {block}, {sharedBytes} B shared)", result, CudaDriver.Describe(result));
    }

    /// <summary>Grid size for a grid-stride loop over n elements (capped: each thread loops).</summary>
    internal uint GridFor(long n) => (uint)Math.Clamp((n + BlockSize - 1) / BlockSize, n > 0 ? 1 : 0, Context.MultiprocessorCount * 32L);

    internal static uint Block => BlockSize;

    /// <summary>The device storage behind a <see cref="Storage"/> of this backend.</summary>
    internal CudaStorage DeviceStorage(Storage s) =>
        s is CudaStorage c && ReferenceEquals(s.Backend, this)
            ? c
            : throw new ArgumentException($"The {Name} backend was given {s.Backend.Name} memory; move the tensor to {Name} first.");

    internal ulong Ptr(Storage s, long offset = 0) => DeviceStorage(s).At(offset);

    internal ulong PtrOrZero(Storage? s) => s is null ? 0 : Ptr(s);

    private static void CheckRange(CudaStorage s, long offset, long count)
    {
        if (offset < 0 || offset + count > s.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + count}) is outside a buffer of {s.Length} elements.");
    }
}
