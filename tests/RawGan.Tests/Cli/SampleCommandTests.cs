using System.Buffers.Binary;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan sample` in its three modes, drawing sheets larger than the run's batch (so a batch at a time).</summary>
public class SampleCommandTests
{
    [TestCase("none", null, 10)]
    [TestCase("z", "3,8", 2)]
    [TestCase("class", "0,1,2,3", 3)]
    public void EachModeDrawsItsSheetABatchAtATime(string mode, string? classes, int rows)
    {
        using var folder = new TempFolder();
        // Mnist32Small has the shared class embedding that class interpolation needs; its batch of 4 is below every sheet.
        string run = TinyRun.Completed(folder.Path, "run", 2, "--preset", "Mnist32Small");
        string sheet = Path.Combine(folder.Path, "sheet.png");
        string[] args = ["sample", run, "--device", "cpu", "--interpolate", mode, "--per-class", "5", "--out", sheet];
        var result = RawGanCli.Run(classes is null ? args : [.. args, "--classes", classes]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.All, Does.Contain($"({rows} rows x 5 columns)"));
        // The PNG's IHDR: width and height, 32-pixel images with 2-pixel padding around each.
        var header = File.ReadAllBytes(sheet).AsSpan(16, 8);
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(header), Is.EqualTo(5 * 34 + 2), "width");
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(header[4..]), Is.EqualTo(rows * 34 + 2), "height");
    }

    [Test]
    public void AnEmptyClassListIsAUsageErrorNotAnEmptySheet()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2);
        var result = RawGanCli.Run("sample", run, "--device", "cpu", "--classes", ",", "--out", Path.Combine(folder.Path, "x.png"));
        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.ToString());
        Assert.That(result.All, Does.Contain("--classes lists no class index."));
    }
}
