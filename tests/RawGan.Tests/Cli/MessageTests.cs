using RawGan.Kernels.Cuda;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>
/// What a user sees when a command cannot run: one line on stderr saying what is wrong and what to do, exit code 2,
/// and no run folder left behind.
/// </summary>
public class MessageTests : TrainedRunFixture
{
    private static void AssertOneLine(CliResult result, params string[] mentions)
    {
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("System.").And.Not.Contain("`1").And.Not.Contain("(Parameter '").And.Not.Contain("Actual value"));
        Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        foreach (var m in mentions) Assert.That(result.Error, Does.Contain(m), result.ToString());
    }

    [TestCase("train --steps abc", "--steps", "abc")]
    [TestCase("train --seed -1", "--seed", "-1")]
    [TestCase("train --g-lr fast", "--g-lr", "fast")]
    [TestCase("train --on-collapse sometimes", "--on-collapse", "sometimes")]
    [TestCase("sample somewhere --per-class many", "--per-class", "many")]
    public void AValueOfTheWrongKindNamesTheOptionNotADotNetType(string commandLine, string option, string value) =>
        AssertOneLine(RawGanCli.Run(commandLine.Split(' ')), option, value);

    [TestCase("train --steps -5", "--steps")]
    [TestCase("train --batch-size 0", "--batch-size")]
    [TestCase("train --keep 0", "--keep")]
    [TestCase("train --log-every 0", "--log-every")]
    [TestCase("train --ema-decay 2", "--ema-decay")]
    [TestCase("train --sv-every -1", "--sv-every")]
    [TestCase("train --collapse-signals 5", "--collapse-signals")]
    [TestCase("sample somewhere --per-class -4", "--per-class")]
    [TestCase("sample somewhere --truncation -1", "--truncation")]
    [TestCase("eval somewhere --samples 3", "--samples")]
    public void AnOutOfRangeValueIsRejectedNamingTheOption(string commandLine, string option)
    {
        using var folder = new TempFolder();
        string[] args = commandLine.Split(' ');
        // A train command line is otherwise a tiny run, so that a flag quietly clamped would only train briefly.
        if (args[0] == "train") args = TinyRun.Train(folder.Path, "run", 2, args[1..]);
        AssertOneLine(RawGanCli.Run(args), option);
        Assert.That(folder.Entries(), Is.Empty, "no run folder");
    }

    [Test]
    public void DeviceCudaWithoutAGpuFailsClearlyAndCreatesNoRunFolder()
    {
        if (CudaProbe.Availability.IsAvailable) Assert.Ignore("This machine has a GPU.");
        using var folder = new TempFolder();
        var result = RawGanCli.Run(TinyRun.Train(folder.Path, "run", 2, "--device", "cuda"));
        AssertOneLine(result, "--device cuda", "--device cpu");
        Assert.That(result.All, Does.Not.Contain("running on the CPU"));
        Assert.That(folder.Entries(), Is.Empty);
    }

    [Test]
    public void ATrainThatFailsOnItsDataCreatesNoRunFolder()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "no-such-images");
        var result = RawGanCli.Run(TinyRun.TrainOn(["--data", "folder", "--data-path", missing], Path.Combine(folder.Path, "runs"), "run", 2));
        AssertOneLine(result, missing);
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "runs", "run")), Is.False);
    }

    [Test]
    [Platform(Include = "Linux", Reason = "/proc is Linux's")]
    public void AFolderForRunsThatCannotBeWrittenIsNamed()
    {
        var result = RawGanCli.Run(TinyRun.Train("/proc/rawgan-runs", "run", 2));
        AssertOneLine(result, "/proc/rawgan-runs", "--runs");
    }

    [TestCase("G_ema.", "sample")]
    [TestCase("D.", "resume")]
    public void AMissingTensorNamesTheFileAndTheNetwork(string section, string command)
    {
        string bad = Path.Combine(FolderPath, $"missing-{command}.safetensors");
        TinyRun.Rewrite(TinyRun.Checkpoint(Run, 2), bad, tensors => tensors.Remove(TinyRun.FirstWeight(tensors, section)));
        AssertOneLine(Use(command, bad), bad, section.TrimEnd('.'));
    }

    [TestCase("G_ema.", "sample")]
    [TestCase("G.", "resume")]
    public void AMisshapedTensorNamesTheFileAndTheNetwork(string section, string command)
    {
        string bad = Path.Combine(FolderPath, $"shape-{command}.safetensors");
        TinyRun.Rewrite(TinyRun.Checkpoint(Run, 2), bad, tensors =>
        {
            string name = TinyRun.FirstWeight(tensors, section);
            tensors[name] = RawGan.Engine.Tensor.Zeros([3, 5]);
        });
        AssertOneLine(Use(command, bad), bad, section.TrimEnd('.'));
    }

    [Test]
    public void ACheckpointWithoutItsRandomStreamOffsetIsNamed()
    {
        string bad = Path.Combine(FolderPath, "no-offset.safetensors");
        TinyRun.Rewrite(TinyRun.Checkpoint(Run, 2), bad, metadata: m => m.Remove("rng_offset"));
        AssertOneLine(Use("resume", bad), bad, "rng_offset");
    }

    [TestCase("resume")]
    [TestCase("eval")]
    [TestCase("sv-trace")]
    public void AStepThatIsNotANumberIsOneLine(string command)
    {
        using var folder = new TempFolder();
        string run = Path.Combine(folder.Path, "run");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        string bad = TinyRun.Checkpoint(run, 2);
        TinyRun.Rewrite(TinyRun.Checkpoint(Run, 2), bad, metadata: m => m["step"] = "two");
        var result = command == "sv-trace" ? RawGanCli.Run("sv-trace", run, "--source", "checkpoints", "--device", "cpu") : Use(command, bad);
        AssertOneLine(result, "step_00000002.safetensors", "\"two\"");
    }

    private static CliResult Use(string command, string checkpoint) => command switch
    {
        "sample" => RawGanCli.Run("sample", checkpoint, "--device", "cpu", "--out", checkpoint + ".png"),
        "eval" => RawGanCli.Run("eval", checkpoint, "--device", "cpu", "--plot", checkpoint + ".png"),
        _ => RawGanCli.Run("train", "--resume", checkpoint, "--steps", "3", "--device", "cpu"),
    };

    [Test]
    [Category("Slow")]
    public void BenchmarksAskedForCudaWithoutAGpuSaySoInOneLine()
    {
        if (CudaProbe.Availability.IsAvailable) Assert.Ignore("This machine has a GPU.");
        using var bench = RawGanCli.StartBuilt(Path.Combine("bench", "RawGan.Bench"), "RawGan.Bench.dll", ["--filter", "*GemmBench*"],
                                               new Dictionary<string, string> { ["RAWGAN_BENCH_DEVICES"] = "cuda" });
        var stdout = bench.StandardOutput.ReadToEndAsync();
        string stderr = bench.StandardError.ReadToEnd();
        Assert.That(bench.WaitForExit(120_000), Is.True);
        var result = new CliResult(bench.ExitCode, stdout.Result, stderr);
        TestContext.Out.WriteLine(result);
        AssertOneLine(result, "RAWGAN_BENCH_DEVICES", "cpu");
    }
}
