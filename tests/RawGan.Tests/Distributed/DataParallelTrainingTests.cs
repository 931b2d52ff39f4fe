using RawGan.Engine;
using RawGan.Engine.Distributed;
using RawGan.Engine.IO;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Distributed;

/// <summary>
/// Whole `rawgan train` sessions of a small float64 BigGAN as data-parallel ranks in one process (threads over the
/// in-process transport) against one process at the same global batch.
/// </summary>
public class DataParallelTrainingTests
{
    private const double Tolerance = 1e-10;

    internal static RunConfig Config(long steps) => new()
    {
        Model = BigGanConfig.Mnist32Small with { Ch = 4, DimZ = 16, SharedDim = 8, GAttention = [], DAttention = [], DType = DType.Float64 },
        Training = new TrainingOptions { Steps = steps, BatchSize = 4, DStepsPerGStep = 1, GLearningRate = 2e-4, DLearningRate = 2e-4, EmaStart = 2, EmaDecay = 0.9, Seed = 5 },
        Data = "synthetic",
        LogEvery = 1, SampleEvery = 0, CheckpointEvery = 0, SvEvery = 0, SamplesPerClass = 1,
    };

    private static TrainingResult[] RunRanks(int ranks, RunFolder run, RunConfig config, DataParallelOptions options, Func<int, CancellationToken>? stopOf = null,
                                             Func<int, ITrainingObserver>? observerOf = null) =>
        InProcessCommunicator.Run(ranks, comm =>
        {
            using var parallel = new DataParallel(comm, Device.Cpu, options);
            var result = CollapseHandling.Run(run, config, Device.Cpu, null, observerOf?.Invoke(comm.Rank) ?? new QuietObserver(), stopOf?.Invoke(comm.Rank) ?? CancellationToken.None,
                                              parallel: parallel);
            if (comm.Rank == 0) TestContext.Out.WriteLine(parallel.Summary(result.Step));
            return result;
        });

    [Test]
    [Category("Slow")]
    public void TwoRanksAtGlobalBatchBFollowOneProcessAtBatchB()
    {
        using var single = new TempFolder();
        using var parallel = new TempFolder();
        var config = Config(3);
        var one = TrainingSession.Run(RunFolder.Open(single.Path), config, Device.Cpu, null, new QuietObserver(), CancellationToken.None);
        // Small buckets: several per network, most sent while the backward pass still runs.
        var two = RunRanks(2, RunFolder.Open(parallel.Path), config, new DataParallelOptions { BucketBytes = 32 << 10 });

        Assert.That(two.Select(r => r.Outcome), Is.All.EqualTo(TrainingOutcome.Completed));
        Assert.That(two[1].Checkpoint, Is.EqualTo(two[0].Checkpoint), "every rank knows the checkpoint rank 0 wrote");
        AssertSameCheckpoint(two[0].Checkpoint!, one.Checkpoint!, Tolerance);
        // Rank 0 alone wrote the run folder: one log row per step, one config, one sample sheet.
        Assert.That(File.ReadAllLines(Path.Combine(parallel.Path, "log.csv")), Has.Length.EqualTo(4));
        Assert.That(Directory.GetFiles(Path.Combine(parallel.Path, "samples")), Has.Length.EqualTo(1));
    }

    [Test]
    [Category("Slow")]
    public void WithoutCrossReplicaBatchNormTheRanksStatisticsAreTheirSlicesOwn()
    {
        using var single = new TempFolder();
        using var parallel = new TempFolder();
        var config = Config(2);
        var one = TrainingSession.Run(RunFolder.Open(single.Path), config, Device.Cpu, null, new QuietObserver(), CancellationToken.None);
        var two = RunRanks(2, RunFolder.Open(parallel.Path), config, new DataParallelOptions { SyncBatchNorm = false });
        // G normalises each slice by itself: another trajectory than one process's, which cross-replica BN reproduces.
        using var a = SafeTensors.Load(two[0].Checkpoint!);
        using var b = SafeTensors.Load(one.Checkpoint!);
        double largest = a.Keys.Where(k => k.StartsWith("G.", StringComparison.Ordinal))
                          .Max(k => MaxRelativeDifference(a[k].ToDoubleArray(), b[k].ToDoubleArray()));
        Assert.That(largest, Is.GreaterThan(1e-6));
    }

    [Test]
    [Category("Slow")]
    public void AStopRequestOnOneRankStopsEveryRankAtTheSameStep()
    {
        using var folder = new TempFolder();
        using var stop = new CancellationTokenSource();
        var run = RunFolder.Open(folder.Path);
        // Only rank 1 is asked to stop (when step 2 is logged); rank 0 hears of it through the communicator. Step 2 is
        // logged once step 3 is queued (the host runs a step ahead of the device), so step 3 is the step in flight,
        // which every rank finishes before stopping.
        var results = RunRanks(2, run, Config(5), new DataParallelOptions(), rank => rank == 1 ? stop.Token : CancellationToken.None,
                               rank => new QuietObserver(e => { if (rank == 1 && e.Step == 2) stop.Cancel(); }));
        Assert.That(results.Select(r => (r.Outcome, r.Step)), Is.All.EqualTo((TrainingOutcome.Stopped, 3L)));
        Assert.That(run.Checkpoints().Select(Path.GetFileName), Is.EqualTo(new[] { "step_00000003.safetensors" }));
    }

    [Test]
    [Category("Slow")]
    public void ACollapseSeenByRankZeroStopsEveryRank()
    {
        using var folder = new TempFolder();
        // Thresholds that make the loss signal fire as soon as it has two steps of history.
        var collapse = new CollapseOptions { Action = CollapseAction.Stop, MinSignals = 1, WarmupSteps = 0, LossWindow = 1, DRealFloor = 1e9, GLossJump = -1e9 };
        var results = RunRanks(2, RunFolder.Open(folder.Path), Config(5) with { Collapse = collapse }, new DataParallelOptions());
        Assert.That(results.Select(r => (r.Outcome, r.Step)), Is.All.EqualTo((TrainingOutcome.Collapsed, 2L)));
        Assert.That(results[1].Collapse!.Describe(), Is.EqualTo("rank 0's collapse detector"));
        Assert.That(File.ReadAllLines(Path.Combine(folder.Path, EventLog.FileName)), Has.Length.EqualTo(1), "rank 0 alone logs the event");
    }

    internal static void AssertSameCheckpoint(string actualPath, string expectedPath, double tolerance)
    {
        using var actual = SafeTensors.Load(actualPath);
        using var expected = SafeTensors.Load(expectedPath);
        Assert.That(actual.Keys.Order(), Is.EqualTo(expected.Keys.Order()));
        foreach (var key in new[] { "step", "rng_offset", "g_opt_steps", "d_opt_steps", "loader_epoch", "loader_batch" })
            Assert.That(actual.Metadata[key], Is.EqualTo(expected.Metadata[key]), key);
        double worst = 0;
        string worstName = "";
        foreach (var name in expected.Keys)
        {
            double d = MaxRelativeDifference(actual[name].ToDoubleArray(), expected[name].ToDoubleArray());
            if (d > worst) (worst, worstName) = (d, name);
        }
        TestContext.Out.WriteLine($"largest difference {worst:e2} ({worstName})");
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance), $"{worstName} differs by {worst:e2}");
    }

    // max |a − b| over max(1, max |b|): relative for tensors of size above 1, absolute below, where rounding noise
    // lives in tensors that are zero in exact arithmetic (Adam's moments of a conv bias right before a batch norm).
    private static double MaxRelativeDifference(double[] a, double[] b)
    {
        double diff = 0, scale = 1;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(b[i]));
        }
        return diff / scale;
    }
}
