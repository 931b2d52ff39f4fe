using RawGan.Engine;
using RawGan.Model.Data;
using RawGan.Model.Metrics;
using RawGan.Tests.IO;

namespace RawGan.Tests.Metrics;

public class MnistClassifierTests
{
    private static readonly ClassifierArchitecture Small = new() { Resolution = 16, NumClasses = 4, Widths = [4, 8, 8], Hidden = 16 };

    [Test]
    public void EvaluateGivesProbabilitiesAndFeaturesOfTheDeclaredSizes()
    {
        var net = new MnistClassifier(Small, seed: 1);
        var images = Tensor.RandomUniform(new Shape(5, 1, 16, 16), 3) * 2.0 - 1.0;
        var (p, f) = net.Evaluate(images);
        Assert.That(p.GetLength(0), Is.EqualTo(5));
        Assert.That(p.GetLength(1), Is.EqualTo(net.NumClasses));
        Assert.That(f.GetLength(1), Is.EqualTo(net.FeatureSize));
        for (int i = 0; i < 5; i++)
            Assert.That(Enumerable.Range(0, 4).Sum(c => p[i, c]), Is.EqualTo(1).Within(1e-6));
        Assert.That(net.Training, Is.True, "Evaluate restores the mode it found");
    }

    [Test]
    public void RejectsImagesOfAnotherShape()
    {
        var net = new MnistClassifier(Small);
        Assert.Throws<ArgumentException>(() => net.Evaluate(Tensor.Zeros(new Shape(2, 3, 16, 16))));
    }

    [Test]
    public void SaveAndLoadKeepWeightsStatisticsAndMetadata()
    {
        using var folder = new TempFolder();
        var data = new SyntheticShapes(64, 4, 16, 1, 1);
        var net = new MnistClassifier(Small, seed: 2);
        ClassifierTraining.Train(net, data, new ClassifierTrainingOptions { Epochs = 1, BatchSize = 16 }, Device.Cpu);
        string path = Path.Combine(folder.Path, "c.safetensors");
        net.Save(path, ClassifierTraining.Metadata("synthetic", 0.5, 64, new ClassifierTrainingOptions()));
        var back = MnistClassifier.Load(path);
        Assert.That(back.Architecture.Widths, Is.EqualTo(Small.Widths));
        Assert.That(back.Name, Is.EqualTo("synthetic-classifier"));
        Assert.That(back.Metadata["test_accuracy"], Is.EqualTo("0.5"));
        var images = Tensor.RandomUniform(new Shape(6, 1, 16, 16), 4) * 2.0 - 1.0;
        var (p1, f1) = net.Evaluate(images);
        var (p2, f2) = back.Evaluate(images);
        Assert.That(p2, Is.EqualTo(p1));
        Assert.That(f2, Is.EqualTo(f1));
    }

    [Test]
    public void LoadingSomethingElseSaysWhatToDo()
    {
        using var folder = new TempFolder();
        Assert.That(() => MnistClassifier.Load(Path.Combine(folder.Path, "none.safetensors")),
                    Throws.TypeOf<FileNotFoundException>().With.Message.Contains("rawgan classifier train"));
    }

    [Test]
    [Category("Slow")]
    public void LearnsSyntheticShapes()
    {
        // Four shape classes, 16x16: far above chance after two short epochs.
        var train = new SyntheticShapes(768, 4, 16, 1, 5);
        var test = new SyntheticShapes(256, 4, 16, 1, 6);
        var net = new MnistClassifier(Small, seed: 3);
        double before = ClassifierTraining.TestAccuracy(net, test, Device.Cpu);
        var losses = new List<double>();
        ClassifierTraining.Train(net, train, new ClassifierTrainingOptions { Epochs = 2, BatchSize = 32, LearningRate = 3e-3 }, Device.Cpu, p => losses.Add(p.Loss));
        double after = ClassifierTraining.TestAccuracy(net, test, Device.Cpu);
        Assert.That(losses, Is.Not.Empty);
        Assert.That(after, Is.GreaterThan(0.9), $"accuracy {before:P1} before, {after:P1} after");
    }
}
