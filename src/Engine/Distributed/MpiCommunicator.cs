using System.Runtime.InteropServices;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Engine.Distributed;

/// <summary>
/// The ranks of an MPI job (MPI_COMM_WORLD), started by <c>mpirun -n N</c>: the transport between CPU ranks and
/// the bootstrap of NCCL. CPU tensors are passed to MPI in place (pinned); tensors on another device go through a
/// host copy. Initialised with MPI_THREAD_SERIALIZED, so a <see cref="CommunicationQueue"/>'s thread may make the
/// calls. Errors return to the caller (MPI_ERRORS_RETURN) and become exceptions. One per process.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private readonly IntPtr _world;
    private readonly int[] _pids;
    private readonly int[] _hosts;
    private bool _disposed;

    private MpiCommunicator(LaunchEnvironment launch)
    {
        MpiNative.Check(MpiNative.MPI_Init_thread(null, null, MpiNative.ThreadSerialized, out int provided));
        if (provided < MpiNative.ThreadSerialized)
        {
            MpiNative.MPI_Finalize();
            throw new InvalidOperationException($"This MPI library offers thread level {provided}; RawGan needs MPI_THREAD_SERIALIZED ({MpiNative.ThreadSerialized}) or more.");
        }
        _world = MpiNative.CommWorld;
        MpiNative.Check(MpiNative.MPI_Comm_set_errhandler(_world, MpiNative.ErrorsReturn));
        MpiNative.Check(MpiNative.MPI_Comm_rank(_world, out int rank));
        MpiNative.Check(MpiNative.MPI_Comm_size(_world, out int size));
        Rank = rank;
        Size = size;
        LocalRank = launch.LocalRank;
        // Who is where, so that a lost rank can be named (LostRanks).
        using var mine = Tensor.FromArray([Environment.ProcessId, HostId()], Device.Cpu);
        using var all = Tensor.Zeros([2 * size], DType.Int32, Device.Cpu);
        AllGather(mine, all);
        var ids = all.ToArray<int>();
        _pids = Enumerable.Range(0, size).Select(r => ids[2 * r]).ToArray();
        _hosts = Enumerable.Range(0, size).Select(r => ids[2 * r + 1]).ToArray();
    }

    /// <summary>Initialises MPI (once per process) for the job <paramref name="launch"/> describes.</summary>
    public static MpiCommunicator Initialize(LaunchEnvironment launch) => new(launch);

    /// <summary>True when OpenMPI's library (libmpi.so.40) can be loaded.</summary>
    public static bool IsAvailable => MpiNative.IsAvailable();

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public int LocalRank { get; }

    /// <inheritdoc/>
    public string Transport => "mpi";

    /// <summary>
    /// Ranks on this host whose process has ended (gone, or a zombie not yet reaped): what to name when the launcher
    /// stops this rank because the job lost one. Ranks on other hosts cannot be checked from here.
    /// </summary>
    public IReadOnlyList<(int Rank, int Pid)> LostRanks()
    {
        var lost = new List<(int, int)>();
        for (int r = 0; r < Size; r++)
        {
            if (r != Rank && _hosts[r] == _hosts[Rank] && !IsRunning(_pids[r])) lost.Add((r, _pids[r]));
        }
        return lost;
    }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor)
    {
        Collectives.CheckDense(tensor, nameof(tensor));
        var type = MpiNative.Datatype(tensor.DType);
        WithElements(tensor, p => InChunks(tensor, p, (at, n) => MpiNative.Check(MpiNative.MPI_Allreduce((void*)MpiNative.InPlace, (void*)at, n, type, MpiNative.Sum, _world))));
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        Collectives.CheckDense(tensor, nameof(tensor));
        Collectives.CheckRoot(root, Size);
        var type = MpiNative.Datatype(tensor.DType);
        WithElements(tensor, p => InChunks(tensor, p, (at, n) => MpiNative.Check(MpiNative.MPI_Bcast((void*)at, n, type, root, _world))));
    }

    /// <inheritdoc/>
    public void AllGather(Tensor send, Tensor receive)
    {
        Collectives.CheckGather(send, receive, Size);
        if (send.Numel > int.MaxValue) throw new ArgumentException($"MPI gathers at most {int.MaxValue} elements per rank, got {send.Numel}.", nameof(send));
        var type = MpiNative.Datatype(send.DType);
        int n = (int)send.Numel;
        WithElements(send, s => WithElements(receive, r => MpiNative.Check(MpiNative.MPI_Allgather((void*)s, n, type, (void*)r, n, type, _world))));
    }

    /// <inheritdoc/>
    public void Barrier() => MpiNative.Check(MpiNative.MPI_Barrier(_world));

    /// <summary>Ends every rank of the job at once (MPI_Abort) with <paramref name="exitCode"/>: for an error only this rank saw.</summary>
    public void Abort(int exitCode) => MpiNative.MPI_Abort(_world, exitCode);

    /// <summary>Finalises MPI (every rank must get here).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        MpiNative.Check(MpiNative.MPI_Finalized(out int finalized));
        if (finalized == 0) MpiNative.Check(MpiNative.MPI_Finalize());
    }

    // Hands MPI the tensor's elements: a CPU tensor's array pinned in place, else a host copy written back after.
    private static void WithElements(Tensor t, Action<IntPtr> call)
    {
        var host = t.Storage.Backend is CpuBackend ? null : Collectives.ToHost(t);
        fixed (byte* p = &MemoryMarshal.GetArrayDataReference(host ?? CpuArray(t.Storage))) call((IntPtr)p);
        if (host is not null) Collectives.FromHost(host, t);
    }

    // MPI counts are ints: a longer tensor goes in several calls.
    private static void InChunks(Tensor t, IntPtr elements, Action<IntPtr, int> call)
    {
        int size = t.DType.SizeInBytes();
        for (long at = 0; at < t.Numel; at += int.MaxValue) call(elements + (nint)(at * size), (int)Math.Min(int.MaxValue, t.Numel - at));
    }

    private static Array CpuArray(Storage s) => s.DType switch
    {
        DType.Float32 => CpuBackend.Data<float>(s),
        DType.Float64 => CpuBackend.Data<double>(s),
        _ => CpuBackend.Data<int>(s),
    };

    // A 32-bit digest of the host name: equal on ranks that share a host.
    private static int HostId()
    {
        int h = unchecked((int)2166136261);
        foreach (char c in Environment.MachineName) h = unchecked((h ^ c) * 16777619);
        return h;
    }

    // /proc/<pid>/stat's third field is the state: Z (zombie) and X (dead) have ended.
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
