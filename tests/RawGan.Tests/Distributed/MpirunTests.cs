using System.Diagnostics;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Distributed;

/// <summary>
/// `mpirun -n 2 rawgan train` end to end on the CPU over MPI: the same trajectory as one process, a lost rank, and
/// stop requests. Skipped where mpirun or the built command is missing (CI installs OpenMPI).
/// </summary>
[Category("Slow")]
public class MpirunTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    // A small float32 BigGAN on synthetic data that checkpoints every step.
    private static string[] SmallRun(string runs, string name, int checkpointEvery) =>
    [
        "train", "--data", "synthetic", "--ch", "4", "--dim-z", "16", "--batch-size", "4", "--d-steps", "1", "--sv-every", "0", "--sample-every", "0",
        "--checkpoint-every", $"{checkpointEvery}", "--steps", "100000", "--log-every", "1", "--runs", runs, "--name", name, "--device", "cpu",
    ];

    [Test]
    public void TwoMpiRanksAtGlobalBatch2BFollowOneProcessAtBatch2BAfterResumingItsCheckpoint()
    {
        using var single = new TempFolder();
        using var parallel = new TempFolder();
        // Step 1 in one process (float64, global batch 4), then steps 2-4 from its checkpoint: in this process, and by
        // two MPI ranks of 2 samples each (which also resumes a run with another number of ranks than it was written by).
        var config = DataParallelTrainingTests.Config(1);
        var first = TrainingSession.Run(RunFolder.Open(single.Path), config, Device.Cpu, null, new QuietObserver(), CancellationToken.None);
        var resumeHere = RunFolder.Open(parallel.Path).CheckpointPath(1);
        Directory.CreateDirectory(Path.GetDirectoryName(resumeHere)!);
        File.Copy(first.Checkpoint!, resumeHere);
        var one = TrainingSession.Run(RunFolder.Open(single.Path), config with { Training = config.Training with { Steps = 4 } }, Device.Cpu, first.Checkpoint,
                                      new QuietObserver(), CancellationToken.None);

        using var job = Mpirun.Start(2, ["train", "--resume", resumeHere, "--steps", "4", "--device", "cpu"]);
        int exit = job.WaitForExit(Limit);
        TestContext.Out.WriteLine(job.Output);
        Assert.That(exit, Is.Zero, job.Output);
        Assert.That(job.Output, Does.Contain("Data parallel: rank 0 of 2").And.Contain("mpi"));
        DataParallelTrainingTests.AssertSameCheckpoint(RunFolder.Open(parallel.Path).CheckpointPath(4), one.Checkpoint!, 1e-10);
    }

    [Test]
    public void AKilledRankEndsTheJobWithAnErrorNamingItAndTheCheckpointsStayWhole()
    {
        using var runs = new TempFolder();
        using var job = Mpirun.Start(2, SmallRun(runs.Path, "killed", checkpointEvery: 1));
        string run = Path.Combine(runs.Path, "killed");
        job.WaitUntil(() => Checkpoints(run).Length >= 2, Limit, "second checkpoint");
        Process.GetProcessById(job.RankProcess(1)).Kill();

        int exit = job.WaitForExit(Limit);
        Assert.That(exit, Is.Not.Zero);
        Assert.That(job.Output, Does.Contain("rawgan (rank 0): Rank 1 was lost"), job.Output);
        AssertWhole(run);
    }

    [Test]
    public void ASigtermToOneRankStopsEveryRankWithACheckpoint()
    {
        using var runs = new TempFolder();
        using var job = Mpirun.Start(2, SmallRun(runs.Path, "stopped", checkpointEvery: 0));
        string run = Path.Combine(runs.Path, "stopped");
        job.WaitUntil(() => job.Output.Contains("step 2 ", StringComparison.Ordinal), Limit, "step 2");
        Signal(job.RankProcess(1), "TERM");

        job.WaitForExit(Limit);
        Assert.That(job.Output, Does.Match(@"Stopped at step \d+"), job.Output);
        Assert.That(Checkpoints(run), Has.Length.EqualTo(1), "rank 0 wrote the stop checkpoint");
        AssertWhole(run);
    }

    [Test]
    public void CtrlCAtMpirunStopsTheRanksWithACheckpointWhenTheyAreGivenTime()
    {
        using var runs = new TempFolder();
        // mpirun answers Ctrl-C (SIGINT) with SIGCONT, then SIGTERM and SIGKILL odls_base_sigkill_timeout seconds apart.
        using var job = Mpirun.Start(2, SmallRun(runs.Path, "interrupted", checkpointEvery: 0), ["--mca", "odls_base_sigkill_timeout", "8"]);
        string run = Path.Combine(runs.Path, "interrupted");
        job.WaitUntil(() => job.Output.Contains("step 2 ", StringComparison.Ordinal), Limit, "step 2");
        Signal(job.Id, "INT");

        job.WaitForExit(Limit);
        Assert.That(job.Output, Does.Match(@"Stopped at step \d+"), job.Output);
        Assert.That(Checkpoints(run), Has.Length.EqualTo(1), "rank 0 wrote the stop checkpoint");
        AssertWhole(run);
    }

    // The run folder's checkpoints (opening it with RunFolder before the job creates it would make the job pick another name).
    private static string[] Checkpoints(string run)
    {
        string folder = Path.Combine(run, "checkpoints");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "step_*.safetensors") : [];
    }

    // Every checkpoint of the run reads completely and carries RawGan's format tag: none was cut short.
    private static void AssertWhole(string run)
    {
        Assert.That(Checkpoints(run), Is.Not.Empty);
        foreach (var path in Checkpoints(run))
        {
            using var file = SafeTensors.Load(path);
            Assert.That(file.Metadata["format"], Is.EqualTo(Checkpoint.Format), path);
            Assert.That(file.Values.Sum(t => t.ToDoubleArray().Length), Is.GreaterThan(0), path);
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
