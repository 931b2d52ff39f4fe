using System.Runtime.InteropServices;
using RawGan.Engine;
using RawGan.Engine.Distributed;
using RawGan.Kernels.Cuda;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// This process's place in a multi-process training job: rank, size and local rank from the launcher's variables,
/// MPI when mpirun started it, and the data-parallel group it trains in (NCCL between GPUs, bootstrapped over MPI; MPI
/// between CPU processes). Ranks other than 0 print nothing but errors. Under mpirun a SIGTERM (what mpirun sends
/// every rank on Ctrl-C) asks for a clean stop, unless the job has lost a rank: then this rank names it and ends.
/// Disposing finalises MPI after an orderly end; after a failure it leaves the process to end, so that mpirun
/// stops the other ranks instead of this one waiting for them in MPI_Finalize.
/// </summary>
internal sealed class DistributedLaunch : IDisposable
{
    private readonly string _comm;
    private readonly DataParallelOptions _options;
    private readonly MpiCommunicator? _mpi;
    private NcclCommunicator? _nccl;
    private DataParallel? _parallel;
    private bool _orderly;

    private DistributedLaunch(LaunchEnvironment launch, string comm, MpiCommunicator? mpi, DataParallelOptions options)
    {
        Launch = launch;
        _comm = comm;
        _mpi = mpi;
        _options = options;
    }

    /// <summary>Reads the launch variables and, with several ranks (or --comm mpi), initialises MPI.</summary>
    public static DistributedLaunch Start(string comm, DataParallelOptions options)
    {
        comm = comm.ToLowerInvariant();
        if (comm is not ("auto" or "none" or "mpi" or "nccl")) throw new ArgumentException($"Unknown --comm \"{comm}\"; use auto, mpi, nccl or none.");
        var launch = LaunchEnvironment.Current();
        // mpirun gives each rank a pseudo-terminal and stops reading it while it shuts a job down (SIGCONT, a
        // sleep of odls_base_sigkill_timeout, then SIGTERM). .NET's console rewrites the terminal's modes on
        // SIGCONT and blocked on that pty, freezing the rank mid-step; without terminal capabilities it writes none.
        if (launch.UnderMpirun) Environment.SetEnvironmentVariable("TERM", "dumb");
        if (launch.Size > 1 && comm == "none")
            throw new ArgumentException($"This process is rank {launch.Rank} of {launch.Size} ({launch.Source}), but --comm none trains alone; drop --comm none or start one process.");
        MpiCommunicator? mpi = null;
        if (launch.Size > 1 || comm == "mpi")
        {
            if (!MpiCommunicator.IsAvailable)
                throw new ArgumentException("Training on several processes needs OpenMPI (libmpi.so.40): install openmpi-bin and libopenmpi-dev, then start with mpirun -n N rawgan train ….");
            mpi = MpiCommunicator.Initialize(launch);
            // A launcher that sets RANK/WORLD_SIZE but does not start MPI jobs leaves each process an MPI job of its own.
            if (launch.Size > 1 && (mpi.Size != launch.Size || mpi.Rank != launch.Rank))
                throw new ArgumentException($"{launch.Source} say rank {launch.Rank} of {launch.Size}, but MPI connected rank {mpi.Rank} of {mpi.Size}: " +
                                            $"start the ranks with mpirun -n {launch.Size} (or an MPI-aware launcher such as srun --mpi=pmix).");
            if (mpi.Rank != 0) Console.SetOut(TextWriter.Null); // rank 0 speaks for the job; errors still reach stderr
        }
        return new DistributedLaunch(launch, comm, mpi, options);
    }

    /// <summary>The launcher's view of this process.</summary>
    public LaunchEnvironment Launch { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => _mpi?.Rank ?? 0;

    /// <summary>Index among the ranks on this host: the GPU this rank uses.</summary>
    public int LocalRank => _mpi?.LocalRank ?? 0;

    /// <summary>True when this process trains as a rank of a data-parallel group (several ranks, or --comm mpi/nccl).</summary>
    public bool IsDataParallel => _mpi is not null || _comm == "nccl";

    /// <summary>A value only rank 0 computes (the new run folder's path), the same on every rank.</summary>
    public string FromRoot(Func<string> computeOnRoot) =>
        _mpi is null ? computeOnRoot() : Model.Training.DataParallel.Share(_mpi, Rank == 0 ? computeOnRoot() : null);

    /// <summary>The data-parallel group for training on <paramref name="device"/>, or null when training alone.</summary>
    public DataParallel? DataParallel(Device device)
    {
        if (!IsDataParallel) return null;
        if (device.Backend is CudaBackend cuda && _comm != "mpi")
        {
            _nccl = NcclCommunicator.Create(cuda, _mpi);
            return _parallel = new DataParallel(_nccl, device, _options, cuda.Context.MakeCurrent);
        }
        if (_comm == "nccl") throw new ArgumentException("--comm nccl moves tensors between GPUs: train with --device cuda, or use --comm mpi.");
        return _parallel = new DataParallel(_mpi!, device, _options);
    }

    /// <summary>One line for the log: the ranks, the transport and the batch-norm mode.</summary>
    public string Describe(int globalBatch) => _parallel is null
        ? "Training alone (one process)."
        : $"Data parallel: rank {Rank} of {_parallel.Size} ({Launch.Source}), {_parallel.Communicator.Transport}, global batch {globalBatch} " +
          $"({globalBatch / _parallel.Size} per rank), cross-replica batch norm {(_options.SyncBatchNorm ? "on" : "off")}.";

    /// <summary>
    /// Under MPI, why this rank cannot stop in order when a signal comes: a peer on this host has ended (mpirun then
    /// SIGTERMs the survivors), so the job cannot go on and no checkpoint is written. Null when every peer lives (the
    /// stop request is then one every rank agrees on, at the end of a step).
    /// </summary>
    public string? LostRankMessage() =>
        _mpi?.LostRanks() is [var (lostRank, pid), ..] ? $"rawgan (rank {Rank}): {new RankLostException(lostRank, $"its process {pid} ended").Message}" : null;

    /// <summary>Marks the end as orderly (every rank finished the session together), so that Dispose finalises MPI.</summary>
    public void Completed() => _orderly = true;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_orderly) return;
        _parallel?.Dispose();
        _nccl?.Dispose();
        _mpi?.Dispose();
    }
}
