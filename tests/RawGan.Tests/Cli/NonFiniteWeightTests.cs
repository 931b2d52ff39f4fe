namespace RawGan.Tests.Cli;

/// <summary>A checkpoint holding NaN or infinite weights is refused by sample, eval and resume, naming the tensors.</summary>
public class NonFiniteWeightTests : TrainedRunFixture
{
    [TestCase("sample", "G_ema.", float.NaN)]
    [TestCase("eval", "G_ema.", float.PositiveInfinity)]
    [TestCase("resume", "D.", float.NaN)]
    public void ACheckpointWithNonFiniteWeightsIsRefusedNamingTheTensor(string command, string section, float value)
    {
        string bad = Path.Combine(FolderPath, $"bad-{command}.safetensors");
        string? tensor = null;
        TinyRun.Rewrite(TinyRun.Checkpoint(Run, 2), bad, tensors =>
        {
            tensor = TinyRun.FirstWeight(tensors, section);
            tensors[tensor] = TinyRun.WithFirst(tensors[tensor], value);
        });
        string output = Path.Combine(FolderPath, $"sheet-{command}.png");
        var result = command switch
        {
            "sample" => RawGanCli.Run("sample", bad, "--device", "cpu", "--out", output),
            "eval" => RawGanCli.Run("eval", bad, "--device", "cpu", "--plot", output),
            _ => RawGanCli.Run("train", "--resume", bad, "--steps", "3", "--device", "cpu"),
        };
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain(tensor!).And.Contain("bad-" + command).And.Contain("non-finite"));
        Assert.That(File.Exists(output), Is.False, "nothing is drawn from broken weights");
    }
}
