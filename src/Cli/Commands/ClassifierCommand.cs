using System.CommandLine;
using System.Globalization;
using RawGan.Engine;
using RawGan.Model.Data;
using RawGan.Model.Metrics;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan classifier train|test`: the data set's own classifier, the feature network of IS and FID on MNIST.</summary>
internal static class ClassifierCommand
{
    public static Command Create()
    {
        var cmd = new Command("classifier", "Train or test the small CNN whose softmax and hidden layer give IS and FID on MNIST and Fashion-MNIST (see rawgan eval --features classifier).");
        cmd.Subcommands.Add(Train());
        cmd.Subcommands.Add(Test());
        cmd.Subcommands.Add(Stats());
        return cmd;
    }

    private static Option<string> DataOption() => new("--data")
    {
        Description = "The data set: mnist or fashion-mnist.",
        DefaultValueFactory = _ => "mnist",
    };

    private static Option<string?> DataPathOption() => new("--data-path") { Description = "Folder with the IDX files (default for mnist: $RAWGAN_DATA or ~/.cache/rawgan/mnist; for fashion-mnist: $RAWGAN_DATA/fashion-mnist, /usr/share/datasets/fashion-mnist or ~/.cache/rawgan/fashion-mnist)." };

    private static Option<string?> OutputOption(string description) => new("--classifier") { Description = description };

    private static Command Train()
    {
        var cmd = new Command("train", "Train the classifier with our engine (cross-entropy, Adam), report its test accuracy and save it as safetensors with metadata.");
        var data = DataOption();
        var dataPath = DataPathOption();
        var output = OutputOption("Where to save it (default: ~/.cache/rawgan/classifiers/<data>.safetensors).");
        var epochs = new Option<int>("--epochs") { Description = "Passes over the 60,000 training images.", DefaultValueFactory = _ => new ClassifierTrainingOptions().Epochs }.AtLeast(1);
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => new ClassifierTrainingOptions().BatchSize }.AtLeast(1);
        var lr = new Option<double>("--lr") { Description = "Adam's initial step size (decays linearly to a tenth).", DefaultValueFactory = _ => new ClassifierTrainingOptions().LearningRate }.Positive();
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights and the shuffles.", DefaultValueFactory = _ => 0UL };
        var device = DeviceChoice.Option();
        foreach (var o in new Option[] { data, dataPath, output, epochs, batch, lr, seed, device }) cmd.Options.Add(o);
        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string name = CheckData(r.GetValue(data)!);
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            var train = Split(name, r.GetValue(dataPath), "train");
            var test = Split(name, r.GetValue(dataPath), "test");
            var options = new ClassifierTrainingOptions { Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), LearningRate = r.GetValue(lr), Seed = r.GetValue(seed) };
            var architecture = new ClassifierArchitecture { Channels = train.Channels, Resolution = train.Height, NumClasses = train.NumClasses };
            var net = new MnistClassifier(architecture, options.Seed, dev);
            Console.WriteLine($"Classifier: {architecture} ({net.ParameterCount:N0} parameters); {options.Epochs} epochs of {train.Count:N0} images, batch {options.BatchSize}.");

            using var stop = new StopSignal();
            WorkProgress.Run("training", report => ClassifierTraining.Train(net, train, options, dev, p =>
                report(p.Step, p.Steps, $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F4}  train acc {p.TrainAccuracy:P2}  {p.Step * options.BatchSize / Math.Max(p.Seconds, 1e-9):F0} img/s"), stop.Token));
            if (stop.IsCancellationRequested) Console.WriteLine("Stopped early; testing and saving what was learnt.");
            double accuracy = 0;
            WorkProgress.Run("testing", report => accuracy = ClassifierTraining.TestAccuracy(net, test, dev, progress: (done, all) => report(done, all, $"{done}/{all} images")));
            string path = r.GetValue(output) ?? FeatureSetup.DefaultClassifierPath(name);
            net.Save(path, ClassifierTraining.Metadata(name, accuracy, test.Count, options));
            Console.WriteLine($"Test accuracy {accuracy.ToString("P2", CultureInfo.InvariantCulture)} ({Math.Round(accuracy * test.Count)}/{test.Count}). Saved {path}.");
            return stop.IsCancellationRequested ? stop.ExitCode : ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Test()
    {
        var cmd = new Command("test", "Measure a saved classifier's accuracy on the test set.");
        var data = DataOption();
        var dataPath = DataPathOption();
        var input = OutputOption("The classifier (default: ~/.cache/rawgan/classifiers/<data>.safetensors).");
        var device = DeviceChoice.Option();
        foreach (var o in new Option[] { data, dataPath, input, device }) cmd.Options.Add(o);
        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string name = CheckData(r.GetValue(data)!);
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            string path = r.GetValue(input) ?? FeatureSetup.DefaultClassifierPath(name);
            using var net = MnistClassifier.Load(path, dev);
            var test = Split(name, r.GetValue(dataPath), "test");
            double accuracy = 0;
            WorkProgress.Run("testing", report => accuracy = ClassifierTraining.TestAccuracy(net, test, dev, progress: (done, all) => report(done, all, $"{done}/{all} images")));
            Console.WriteLine($"{path}: {net.Architecture}; test accuracy {accuracy.ToString("P2", CultureInfo.InvariantCulture)} ({Math.Round(accuracy * test.Count)}/{test.Count}).");
            return 0;
        }));
        return cmd;
    }

    private static Command Stats()
    {
        var cmd = new Command("stats", "The real data under the classifier: Inception Score of the train and test splits (10 splits) and the FID between them. " +
                                       "The statistics are cached beside the data set and reused by rawgan eval.");
        var data = DataOption();
        var dataPath = DataPathOption();
        var input = OutputOption("The classifier (default: ~/.cache/rawgan/classifiers/<data>.safetensors).");
        var trainSamples = new Option<int>("--train-samples") { Description = "Training images used (0: all 60,000).", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var testSamples = new Option<int>("--test-samples") { Description = "Test images used (0: all 10,000).", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var device = DeviceChoice.Option();
        foreach (var o in new Option[] { data, dataPath, input, trainSamples, testSamples, device }) cmd.Options.Add(o);
        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string name = CheckData(r.GetValue(data)!);
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            string path = r.GetValue(input) ?? FeatureSetup.DefaultClassifierPath(name);
            using var net = MnistClassifier.Load(path, dev);
            var config = new Model.Training.RunConfig { Data = name, DataPath = r.GetValue(dataPath) };
            FeatureSetup Open(string split, int samples)
            {
                FeatureSetup? setup = null;
                WorkProgress.Run($"{split} statistics", report => setup = FeatureSetup.Create(net, path, config, split, samples, dev, Console.WriteLine,
                                                                                               (done, all) => report(done, all, $"{done}/{all} images")));
                return setup!;
            }
            var train = Open("train", r.GetValue(trainSamples));
            var test = Open("test", r.GetValue(testSamples));
            double fid = FrechetDistance.Compute(train.Real.Features, test.Real.Features);
            string Is(FeatureSetup s) => string.Create(CultureInfo.InvariantCulture, $"{s.Real.InceptionScore.Mean:F4} ± {s.Real.InceptionScore.Std:F4}");
            Console.WriteLine($"{net.Name} ({path}):");
            Console.WriteLine($"  IS of real train ({train.Key.Samples} images, 10 splits): {Is(train)}");
            Console.WriteLine($"  IS of real test  ({test.Key.Samples} images, 10 splits): {Is(test)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  FID(train {train.Key.Samples}, test {test.Key.Samples}): {fid:F4}"));
            return 0;
        }));
        return cmd;
    }

    private static string CheckData(string data) => data.ToLowerInvariant() is "mnist" or FashionMnistDataset.Name
        ? data.ToLowerInvariant()
        : throw new ArgumentException($"No built-in classifier for \"{data}\"; mnist and fashion-mnist have one. For other data sets use rawgan eval --features inception.");

    private static IImageDataset Split(string data, string? dataPath, string split) =>
        FeatureSetup.RealData(new Model.Training.RunConfig { Data = data, DataPath = dataPath }, split, Console.WriteLine);
}
