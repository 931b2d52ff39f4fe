using System.CommandLine;
using RawGan.Engine;
using RawGan.Model.Metrics;
using RawGan.Model.Metrics.Inception;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>The feature-network options `rawgan eval` and `rawgan train --eval-every` share, and what they build.</summary>
internal sealed class EvalOptions
{
    public Option<string> Features { get; } = new("--features")
    {
        Description = "Feature network for IS and FID: classifier (the data set's own, from rawgan classifier train) or inception (Inception-v3, needs --inception-weights).",
        DefaultValueFactory = _ => "classifier",
    };

    public Option<string?> Classifier { get; } = new("--classifier") { Description = "The classifier file (default: ~/.cache/rawgan/classifiers/<data>.safetensors)." };

    public Option<string?> InceptionWeights { get; } = new("--inception-weights") { Description = "Inception-v3 FID weights converted to safetensors (for --features inception)." };

    public Option<string> RealSplit { get; } = new("--real-split")
    {
        Description = "Real images FID compares against: train or test (MNIST and Fashion-MNIST). Their statistics are computed once and cached beside the data set.",
        DefaultValueFactory = _ => "train",
    };

    public Option<int> RealSamples { get; } = new Option<int>("--real-samples")
    {
        Description = "Real images in the statistics (0: the whole split; fewer: a fixed random subset).",
        DefaultValueFactory = _ => 0,
    }.AtLeast(0);

    public IEnumerable<Option> All => [Features, Classifier, InceptionWeights, RealSplit, RealSamples];

    /// <summary>Opens the chosen network and the real statistics (computing and caching them with a progress display when new).</summary>
    public FeatureSetup Open(ParseResult r, RunConfig config, Device device)
    {
        var (network, weights) = OpenNetwork(r, config, device);
        FeatureSetup? setup = null;
        WorkProgress.Run("real statistics", report =>
            setup = FeatureSetup.Create(network, weights, config, r.GetValue(RealSplit)!, r.GetValue(RealSamples), device, Console.WriteLine,
                                        (done, total) => report(done, total, $"{done}/{total} real images")));
        var real = setup!.Real;
        Console.WriteLine($"Real {setup.Key.Dataset} {setup.Key.Split} ({setup.Key.Samples} images, {network.Name}): IS {real.InceptionScore.Mean:F3} ± {real.InceptionScore.Std:F3}.");
        return setup;
    }

    private (IFeatureNetwork Network, string Weights) OpenNetwork(ParseResult r, RunConfig config, Device device)
    {
        switch (r.GetValue(Features)!.ToLowerInvariant())
        {
            case "classifier":
                string path = r.GetValue(Classifier) ?? FeatureSetup.DefaultClassifierPath(config.Data);
                var net = MnistClassifier.Load(path, device);
                string trainedOn = net.Metadata.GetValueOrDefault("dataset", "?");
                if (!trainedOn.Equals(config.Data, StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"{path} was trained on {trainedOn}, the run on {config.Data}; pass the matching --classifier.");
                return (net, path);
            case "inception":
                string weights = r.GetValue(InceptionWeights)
                                 ?? throw new ArgumentException("--features inception needs --inception-weights: the FID weights converted by tools/convert_inception.py (README).");
                if (!File.Exists(weights)) throw new FileNotFoundException($"No Inception-v3 weights at {weights}; convert them with tools/convert_inception.py (README).", weights);
                return (InceptionV3.Load(weights, device), weights);
            default:
                throw new ArgumentException($"Unknown --features \"{r.GetValue(Features)}\"; use classifier or inception.");
        }
    }
}
