using System.CommandLine;
using System.Globalization;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan train`'s flags for training on several GPUs or processes (`mpirun -n N rawgan train …`): the transport,
/// cross-replica batch norm and the gradient bucket size. <see cref="Start"/> joins the launch this process is part of.
/// </summary>
internal sealed class DistributedOptions
{
    private readonly Option<string> _comm = new("--comm")
    {
        Description = "Transport between ranks: auto (alone: none; under mpirun: NCCL between GPUs, MPI between CPU processes), mpi, " +
                      "nccl (also for one process: runs every data-parallel path on one GPU) or none.",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<bool?> _syncBn = new("--sync-bn")
    {
        Description = "Cross-replica batch norm: G's batch statistics over the global batch of all ranks (default: on when training data-parallel; --sync-bn false: each rank's slice).",
    };

    private readonly Option<double> _bucketMb = new("--bucket-mb")
    {
        Description = "Megabytes of gradients per all-reduce bucket; buckets are all-reduced while the backward pass goes on.",
        DefaultValueFactory = _ => new DataParallelOptions().BucketBytes / (double)(1 << 20),
    };

    /// <summary>Every flag, to add to the command.</summary>
    public IEnumerable<Option> All => [_comm, _syncBn, _bucketMb];

    /// <summary>Joins this process's launch: MPI when mpirun started it (or --comm mpi); alone otherwise.</summary>
    public DistributedLaunch Start(ParseResult r)
    {
        double bucketMb = r.GetValue(_bucketMb);
        if (!(bucketMb > 0)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--bucket-mb must be positive, got {bucketMb}."));
        var options = new DataParallelOptions { SyncBatchNorm = r.GetValue(_syncBn) ?? true, BucketBytes = (long)(bucketMb * (1 << 20)) };
        return DistributedLaunch.Start(r.GetValue(_comm)!, options);
    }
}
