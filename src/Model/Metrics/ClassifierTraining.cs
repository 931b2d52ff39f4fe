using System.Diagnostics;
using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Optim;
using RawGan.Model.Data;

namespace RawGan.Model.Metrics;

/// <summary>How `rawgan classifier train` trains.</summary>
public sealed record ClassifierTrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's step size at the start; it decays linearly to a tenth by the last step.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Seed of the weights and of the per-epoch shuffles.</summary>
    public ulong Seed { get; init; }
}

/// <summary>Where training stands, for a progress display.</summary>
public readonly record struct ClassifierProgress(int Epoch, int Epochs, long Step, long Steps, double Loss, double TrainAccuracy, double Seconds);

/// <summary>Trains an <see cref="MnistClassifier"/> with cross-entropy and Adam, and measures accuracy.</summary>
public static class ClassifierTraining
{
    /// <summary>
    /// Trains <paramref name="net"/> on <paramref name="train"/>; <paramref name="progress"/> hears of every
    /// twentieth step and the end of each epoch. Stops early (keeping what was learnt) when <paramref name="stop"/> fires.
    /// </summary>
    public static void Train(MnistClassifier net, IImageDataset train, ClassifierTrainingOptions options, Device device,
                             Action<ClassifierProgress>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(options);
        using var loader = new DataLoader(train, options.BatchSize, options.Seed, device);
        var adam = new Adam(net.NamedParameters(), options.LearningRate);
        long steps = (long)loader.BatchesPerEpoch * options.Epochs;
        var clock = Stopwatch.StartNew();
        double smoothLoss = double.NaN, smoothAccuracy = double.NaN;
        net.Train();
        for (long step = 0; step < steps && !stop.IsCancellationRequested; step++)
        {
            adam.LearningRate = options.LearningRate * (1 - 0.9 * step / Math.Max(1, steps - 1));
            adam.ZeroGrad();
            double loss, accuracy;
            using (var scope = new TensorScope())
            {
                var batch = loader.Next();
                var (logits, _) = net.Forward(batch.Images);
                var lossTensor = Ops.CrossEntropy(logits, batch.Labels);
                accuracy = Accuracy(logits, batch.Labels.ToArray<int>()); // before Backward, which frees the logits
                lossTensor.Backward();
                adam.Step();
                loss = lossTensor.Item();
            }
            if (!double.IsFinite(loss)) throw new ArithmeticException($"The classifier's loss became {loss} at step {step + 1}; try a lower --lr.");
            smoothLoss = double.IsNaN(smoothLoss) ? loss : 0.95 * smoothLoss + 0.05 * loss;
            smoothAccuracy = double.IsNaN(smoothAccuracy) ? accuracy : 0.95 * smoothAccuracy + 0.05 * accuracy;
            bool epochEnd = (step + 1) % loader.BatchesPerEpoch == 0;
            if (progress is not null && ((step + 1) % 20 == 0 || epochEnd || step + 1 == steps))
                progress(new ClassifierProgress((int)(step / loader.BatchesPerEpoch) + 1, options.Epochs, step + 1, steps, smoothLoss, smoothAccuracy, clock.Elapsed.TotalSeconds));
        }
        net.Eval();
    }

    /// <summary>The fraction of <paramref name="data"/> the network (in eval mode) classifies correctly.</summary>
    public static double TestAccuracy(MnistClassifier net, IImageDataset data, Device device, int batchSize = 500, Action<int, int>? progress = null)
    {
        int correct = 0, seen = 0;
        foreach (var (images, labels) in Batches(data, batchSize, device))
        {
            var (p, _) = net.Evaluate(images);
            for (int i = 0; i < labels.Length; i++)
            {
                int best = 0;
                for (int c = 1; c < p.GetLength(1); c++) if (p[i, c] > p[i, best]) best = c;
                if (best == labels[i]) correct++;
            }
            seen += labels.Length;
            progress?.Invoke(seen, data.Count);
        }
        return (double)correct / seen;
    }

    /// <summary>Every sample of <paramref name="data"/> in index order, in batches (the last may be short).</summary>
    public static IEnumerable<(Tensor Images, int[] Labels)> Batches(IImageDataset data, int batchSize, Device device, int? limit = null)
    {
        int count = Math.Min(limit ?? data.Count, data.Count), size = data.SampleSize();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var pixels = new float[n * size];
            var labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = data.Read(start + i, pixels.AsSpan(i * size, size));
            using var images = Tensor.FromArray(pixels, new Shape(n, data.Channels, data.Height, data.Width), device);
            yield return (images, labels);
        }
    }

    /// <summary>The metadata `rawgan classifier train` stores beside the weights.</summary>
    public static Dictionary<string, string> Metadata(string dataset, double testAccuracy, int testCount, ClassifierTrainingOptions options) => new()
    {
        ["format"] = "rawgan-classifier-v1",
        ["dataset"] = dataset,
        ["test_accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture),
        ["test_samples"] = testCount.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = options.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
    };

    private static double Accuracy(Tensor logits, int[] labels)
    {
        var v = logits.ToDoubleArray();
        int k = logits.Shape[1], correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (v[i * k + c] > v[i * k + best]) best = c;
            if (best == labels[i]) correct++;
        }
        return (double)correct / labels.Length;
    }
}
