using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.BigGan;
using RawGan.Model.Data;
using RawGan.Model.Training;
using RawGan.Tests.IO;
using SkiaSharp;

namespace RawGan.Tests.Training;

/// <summary>Faults during a training session: nothing that was trained is lost, and a resumed run stays exact.</summary>
public class TrainingFaultTests
{
    private sealed class Observer(Action<LogEntry>? onLogged = null) : ITrainingObserver
    {
        public List<string> Messages { get; } = [];

        public void Started(long fromStep, long toStep) { }

        public void Logged(LogEntry entry) => onLogged?.Invoke(entry);

        public void Message(string text) => Messages.Add(text);
    }

    private static RunConfig Config(string images, long steps) => new()
    {
        Model = BigGanConfig.Mnist32Small with { Ch = 4, DimZ = 16, SharedDim = 8, GAttention = [], DAttention = [], NumClasses = 2 },
        Training = new TrainingOptions { Steps = steps, BatchSize = 4, DStepsPerGStep = 2, EmaStart = 2, EmaDecay = 0.9, Seed = 5 },
        Data = "folder", DataPath = images,
        LogEvery = 1, SampleEvery = 0, CheckpointEvery = 0, SvEvery = 0, SamplesPerClass = 1,
    };

    [Test]
    [Category("Slow")]
    public void ADataErrorDuringTrainingWritesACheckpointFromWhichTheRunResumesExactly()
    {
        using var folder = new TempFolder();
        string images = Path.Combine(folder.Path, "images");
        var originals = new Dictionary<string, byte[]>();
        for (int k = 0; k < 2; k++)
        for (int i = 0; i < 20; i++)
        {
            string path = Path.Combine(images, $"c{k}", $"{i:D2}.png");
            originals[path] = Png(k, i);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, originals[path]);
        }
        var straight = TrainingSession.Run(RunFolder.Open(Path.Combine(folder.Path, "straight")), Config(images, 4), Device.Cpu, null, new Observer(), CancellationToken.None);

        // After step 1 every file is overwritten: the images not yet decoded (and cached) fail a few steps later.
        long lastLogged = 0;
        var broken = RunFolder.Open(Path.Combine(folder.Path, "broken"));
        var observer = new Observer(e =>
        {
            lastLogged = e.Step;
            if (e.Step == 1)
                foreach (var path in originals.Keys) File.WriteAllText(path, "overwritten");
        });
        var error = Assert.Throws<DataFormatException>(() => TrainingSession.Run(broken, Config(images, 4), Device.Cpu, null, observer, CancellationToken.None));
        Assert.That(lastLogged, Is.InRange(1, 3));
        Assert.That(broken.Checkpoints(), Is.EqualTo(new[] { broken.CheckpointPath(lastLogged) }), "the steps done are kept");
        Assert.That(error!.Message, Does.Contain(Path.GetFileName(broken.CheckpointPath(lastLogged))).And.Contain("--resume"));

        foreach (var (path, bytes) in originals) File.WriteAllBytes(path, bytes);
        var resumed = TrainingSession.Run(broken, Config(images, 4), Device.Cpu, broken.CheckpointPath(lastLogged), new Observer(), CancellationToken.None);
        using var x = SafeTensors.Load(straight.Checkpoint!);
        using var y = SafeTensors.Load(resumed.Checkpoint!);
        foreach (var name in x.Keys)
            Assert.That(y[name].ToArray<float>(), Is.EqualTo(x[name].ToArray<float>()), $"{name} differs from the uninterrupted run");
    }

    private static byte[] Png(int label, int index)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor((byte)(40 + 150 * label + index), 80, 80));
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }
}
