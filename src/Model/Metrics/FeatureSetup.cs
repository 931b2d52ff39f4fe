using RawGan.Engine;
using RawGan.Model.Data;
using RawGan.Model.Training;

namespace RawGan.Model.Metrics;

/// <summary>
/// What IS and FID of a run are measured against: a feature network (with the fingerprint of its weights) and the
/// real data set's cached statistics under it. `rawgan eval` and `rawgan train --eval-every` build one.
/// </summary>
public sealed class FeatureSetup : IDisposable
{
    private FeatureSetup(IFeatureNetwork network, string fingerprint, RealStatisticsKey key, ImageScores real)
    {
        Network = network;
        Fingerprint = fingerprint;
        Key = key;
        Real = real;
    }

    /// <summary>The feature network.</summary>
    public IFeatureNetwork Network { get; }

    /// <summary>Digest of its weights file.</summary>
    public string Fingerprint { get; }

    /// <summary>What the real statistics are of.</summary>
    public RealStatisticsKey Key { get; }

    /// <summary>The real images' Inception Score and feature statistics.</summary>
    public ImageScores Real { get; }

    /// <summary>~/.cache/rawgan/classifiers/&lt;data&gt;.safetensors, where `rawgan classifier train` saves by default.</summary>
    public static string DefaultClassifierPath(string data) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "rawgan", "classifiers", $"{data.ToLowerInvariant()}.safetensors");

    /// <summary>
    /// The stats folder beside a run's data set: &lt;data folder&gt;/rawgan-stats (the MNIST cache for mnist, the
    /// Fashion-MNIST cache for fashion-mnist, whose package folder is read-only), or ~/.cache/rawgan/stats for
    /// data sets without a folder.
    /// </summary>
    public static string StatsFolder(RunConfig config)
    {
        string? dataFolder = config.Data.ToLowerInvariant() switch
        {
            "mnist" => config.DataPath ?? MnistFetcher.DefaultFolder,
            FashionMnistDataset.Name => config.DataPath ?? FashionMnistDataset.CacheFolder,
            _ => config.DataPath,
        };
        if (dataFolder is not null && File.Exists(dataFolder)) dataFolder = Path.GetDirectoryName(Path.GetFullPath(dataFolder));
        return dataFolder is not null
            ? Path.Combine(dataFolder, "rawgan-stats")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "rawgan", "stats");
    }

    /// <summary>The real images of a run's data set: for MNIST and Fashion-MNIST the named split, otherwise the training data (split "train").</summary>
    public static IImageDataset RealData(RunConfig config, string split, Action<string>? say = null)
    {
        bool test = split.Equals("test", StringComparison.OrdinalIgnoreCase);
        if (!test && !split.Equals("train", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"Unknown split \"{split}\"; use train or test.");
        if (config.Data.Equals("mnist", StringComparison.OrdinalIgnoreCase))
            return MnistDataset.LoadOrFetch(test ? MnistSplit.Test : MnistSplit.Train, config.DataPath, config.Model.Resolution, say);
        if (config.Data.Equals(FashionMnistDataset.Name, StringComparison.OrdinalIgnoreCase))
            return FashionMnistDataset.LoadOrFetch(test ? MnistSplit.Test : MnistSplit.Train, config.DataPath, config.Model.Resolution, say);
        if (test) throw new ArgumentException($"Only mnist and fashion-mnist have a test split here; score {config.Data} against --real-split train.");
        return TrainingSession.OpenDataset(config, say);
    }

    /// <summary>
    /// Opens <paramref name="network"/> (whose weights file is <paramref name="weightsPath"/>) and loads or computes
    /// the statistics of <paramref name="realSamples"/> real images (0: the whole split).
    /// </summary>
    public static FeatureSetup Create(IFeatureNetwork network, string weightsPath, RunConfig config, string split, int realSamples, Device device,
                                      Action<string>? say = null, Action<long, long>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        var data = RealData(config, split, say);
        int samples = realSamples <= 0 ? data.Count : realSamples;
        var key = new RealStatisticsKey(network.Name, RealStatisticsKey.Fingerprint(weightsPath), config.Data.ToLowerInvariant(), split.ToLowerInvariant(), samples);
        var real = RealStatistics.GetOrCompute(key, StatsFolder(config), network, data, device, say, progress, stop);
        return new FeatureSetup(network, key.NetworkFingerprint, key, real);
    }

    /// <summary>Scores <paramref name="samples"/> images of a generator at one truncation setting into a record.</summary>
    public EvalRecord Evaluate(string source, long step, string? checkpoint, Func<Tensor, Tensor, Tensor> generate, int dimZ, int numClasses,
                               int samples, double? truncation, ulong seed, Device device, Action<long, long>? progress = null, CancellationToken stop = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scores = GeneratorScoring.ScoreGenerator(generate, dimZ, numClasses, Network, samples, truncation, seed, device, progress: progress, stop: stop);
        double fid = FrechetDistance.Compute(scores.Features, Real.Features);
        return new EvalRecord
        {
            Source = source, Step = step, Checkpoint = checkpoint, Network = Network.Name, NetworkFingerprint = Fingerprint,
            Dataset = Key.Dataset, RealSplit = Key.Split, RealSamples = Key.Samples, Samples = samples, Truncation = truncation,
            IsMean = scores.InceptionScore.Mean, IsStd = scores.InceptionScore.Std, Fid = fid, Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Releases the feature network.</summary>
    public void Dispose() => Network.Dispose();
}
