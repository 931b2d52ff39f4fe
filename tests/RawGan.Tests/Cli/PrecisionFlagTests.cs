using System.Text.Json;
using RawGan.Engine.IO;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>
/// `--precision`: train records it in config.json and each checkpoint's metadata, a resume keeps the run's unless
/// told otherwise and may change it (checkpoints are float32 in every precision), sample and eval take it, and a
/// value outside fp32|tf32|bf16 is a usage error.
/// </summary>
public class PrecisionFlagTests
{
    private static string PrecisionIn(string run)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        return json.RootElement.GetProperty("Training").GetProperty("Precision").GetString()!;
    }

    private static string PrecisionOf(string checkpoint)
    {
        using var file = SafeTensors.Load(checkpoint);
        Assert.That(file.Select(kv => kv.Value.DType).Distinct(), Is.EqualTo(new[] { Engine.DType.Float32 }), "checkpoints stay float32");
        return file.Metadata["precision"];
    }

    [Test]
    public void TrainRecordsThePrecisionAndAResumeMayChangeIt()
    {
        using var folder = new TempFolder();
        var first = RawGanCli.Run(TinyRun.Train(folder.Path, "run", 2, "--precision", "bf16"));
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.All, Does.Contain("Precision: bf16 (emulated on the CPU)."));
        string run = Path.Combine(folder.Path, "run");
        Assert.That(PrecisionIn(run), Is.EqualTo("Bf16"));
        Assert.That(PrecisionOf(TinyRun.Checkpoint(run, 2)), Is.EqualTo("bf16"));

        var kept = RawGanCli.Run("train", "--resume", run, "--steps", "3");
        Assert.That(kept.ExitCode, Is.EqualTo(0), kept.ToString());
        Assert.That(kept.All, Does.Contain("Precision: bf16 (emulated on the CPU) (the run's)."));

        var changed = RawGanCli.Run("train", "--resume", run, "--steps", "4", "--precision", "fp32");
        Assert.That(changed.ExitCode, Is.EqualTo(0), changed.ToString());
        Assert.That(PrecisionIn(run), Is.EqualTo("Fp32"));
        Assert.That(PrecisionOf(TinyRun.Checkpoint(run, 4)), Is.EqualTo("fp32"));
    }

    [Test]
    public void SampleAndEvalTakeThePrecisionAndAnUnknownOneIsAUsageError()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2);
        string sheet = Path.Combine(folder.Path, "bf16.png");
        var sample = RawGanCli.Run("sample", run, "--device", "cpu", "--precision", "bf16", "--out", sheet);
        Assert.That(sample.ExitCode, Is.EqualTo(0), sample.ToString());
        Assert.That(sample.All, Does.Contain("Precision: bf16"));
        Assert.That(File.Exists(sheet), sheet);

        var wrong = RawGanCli.Run("sample", run, "--device", "cpu", "--precision", "fp16", "--out", sheet);
        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());
        Assert.That(wrong.Error, Does.Contain("fp16"));
    }
}
