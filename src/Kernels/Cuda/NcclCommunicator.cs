using RawGan.Engine;
using RawGan.Engine.Distributed;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// The ranks of a data-parallel group on GPUs, one device each, through NCCL (libnccl.so.2). Collectives are
/// enqueued on the backend's stream, ordered with its kernels, and never wait for the device; only
/// <see cref="Barrier"/> synchronises. Rank 0's unique id reaches the other ranks through a bootstrap communicator
/// (MPI); a group of one needs none, and runs every data-parallel path (all-reduce, broadcast, cross-replica batch
/// norm) on a single GPU.
/// </summary>
public sealed class NcclCommunicator : ICommunicator
{
    private readonly CudaBackend _backend;
    private readonly IntPtr _comm;
    private bool _disposed;

    private NcclCommunicator(CudaBackend backend, ICommunicator? bootstrap)
    {
        _backend = backend;
        Rank = bootstrap?.Rank ?? 0;
        Size = bootstrap?.Size ?? 1;
        LocalRank = bootstrap?.LocalRank ?? 0;
        CudaLibraries.EnsureResolver();
        _backend.Context.MakeCurrent();
        var id = UniqueIdFromRoot(bootstrap);
        Nccl.Check(Nccl.ncclCommInitRank(out _comm, Size, id, Rank));
        Nccl.Check(Nccl.ncclGetVersion(out int version));
        Version = version;
    }

    /// <summary>
    /// Joins the group <paramref name="bootstrap"/> describes (its rank and size; rank 0's NCCL id is broadcast
    /// through it), or forms a group of one without it. Every rank of the group must call this together.
    /// </summary>
    public static NcclCommunicator Create(CudaBackend backend, ICommunicator? bootstrap = null) => new(backend, bootstrap);

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public int LocalRank { get; }

    /// <inheritdoc/>
    public string Transport => $"nccl {Version / 10000}.{Version / 100 % 100}.{Version % 100}";

    /// <summary>NCCL's version code (e.g. 22703 for 2.27.3).</summary>
    public int Version { get; }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor)
    {
        var (pointer, type) = DeviceBuffer(tensor);
        Nccl.Check(Nccl.ncclAllReduce(pointer, pointer, (nuint)tensor.Numel, type, Nccl.Sum, _comm, _backend.Context.Stream));
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank in [0, {Size}).");
        var (pointer, type) = DeviceBuffer(tensor);
        Nccl.Check(Nccl.ncclBroadcast(pointer, pointer, (nuint)tensor.Numel, type, root, _comm, _backend.Context.Stream));
    }

    /// <inheritdoc/>
    public void AllGather(Tensor send, Tensor receive)
    {
        if (receive.DType != send.DType || receive.Numel != send.Numel * Size)
            throw new ArgumentException($"AllGather over {Size} ranks of {send.Numel} {send.DType} needs {send.Numel * Size} {send.DType} to receive, got {receive.Numel} {receive.DType}.", nameof(receive));
        var (s, type) = DeviceBuffer(send);
        var (r, _) = DeviceBuffer(receive);
        Nccl.Check(Nccl.ncclAllGather(s, r, (nuint)send.Numel, type, _comm, _backend.Context.Stream));
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        using var token = Tensor.Zeros([1], DType.Int32, Engine.Device.For(_backend));
        AllReduceSum(token);
        _backend.Synchronize();
    }

    /// <summary>Waits for queued work and releases the NCCL communicator.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _backend.Synchronize();
        Nccl.Check(Nccl.ncclCommDestroy(_comm));
    }

    // The device address and NCCL datatype of a tensor on this communicator's GPU.
    private (ulong Pointer, int Type) DeviceBuffer(Tensor t)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _backend.Context.MakeCurrent();
        int type = t.DType switch
        {
            DType.Float32 => Nccl.Float32,
            DType.Float64 => Nccl.Float64,
            DType.Int32 => Nccl.Int32,
            _ => throw new ArgumentException($"NCCL collectives here move Float32, Float64 or Int32, got {t.DType}.", nameof(t)),
        };
        return (_backend.Ptr(t.Storage), type);
    }

    // Rank 0 makes the id; the bootstrap carries its 128 bytes (as 32 Int32 on the CPU) to the other ranks.
    private static unsafe Nccl.UniqueId UniqueIdFromRoot(ICommunicator? bootstrap)
    {
        var id = new Nccl.UniqueId();
        if (bootstrap is null || bootstrap.Rank == 0) Nccl.Check(Nccl.ncclGetUniqueId(out id));
        if (bootstrap is null) return id;
        var words = new int[Nccl.UniqueId.Bytes / sizeof(int)];
        fixed (int* w = words) Buffer.MemoryCopy(id.Internal, w, Nccl.UniqueId.Bytes, Nccl.UniqueId.Bytes);
        using var shared = Tensor.FromArray(words, Engine.Device.Cpu);
        bootstrap.Broadcast(shared, 0);
        words = shared.ToArray<int>();
        fixed (int* w = words) Buffer.MemoryCopy(w, id.Internal, Nccl.UniqueId.Bytes, Nccl.UniqueId.Bytes);
        return id;
    }
}
