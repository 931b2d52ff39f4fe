using RawGan.Tests.IO;
using SkiaSharp;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan train --data folder`: undecodable images are found before step 1 and either stop the run or are skipped.</summary>
public class DataCheckTests
{
    [Test]
    public void UndecodableImagesStopTheRunBeforeItStartsOrAreSkipped()
    {
        using var folder = new TempFolder();
        string images = Path.Combine(folder.Path, "images");
        for (int k = 0; k < 2; k++)
        for (int i = 0; i < 4; i++)
            WritePng(Path.Combine(images, $"class{k}", $"{i}.png"), (byte)(60 + 120 * k));
        string bad = Path.Combine(images, "class1", "broken.png");
        File.WriteAllText(bad, "not a PNG");
        string[] data = ["--data", "folder", "--data-path", images, "--classes", "2"];
        string runs = Path.Combine(folder.Path, "runs");

        var refused = RawGanCli.Run(TinyRun.TrainOn(data, runs, "refused", 2));
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.Error, Does.Contain(Path.Combine("class1", "broken.png")).And.Contain("--skip-bad-images"));
        Assert.That(Directory.Exists(Path.Combine(runs, "refused")), Is.False, "no run folder for a run that never started");

        var skipped = RawGanCli.Run(TinyRun.TrainOn(data, runs, "skipped", 2, "--skip-bad-images"));
        Assert.That(skipped.ExitCode, Is.EqualTo(0), skipped.ToString());
        Assert.That(skipped.All, Does.Contain(Path.Combine("class1", "broken.png")));
        Assert.That(TinyRun.Checkpoints(Path.Combine(runs, "skipped")), Is.EqualTo(new[] { "step_00000002.safetensors" }));
    }

    private static void WritePng(string path, byte level)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(level, level, level));
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }
}
