using System.Globalization;
using System.Security.Cryptography;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.Data;

namespace RawGan.Model.Metrics;

/// <summary>What real statistics are of: the feature network, the data set, its split and how many samples.</summary>
/// <param name="Network">The feature network's name ("mnist-classifier", "inception-v3").</param>
/// <param name="NetworkFingerprint">A digest of the network's weights file, so retraining invalidates the cache.</param>
/// <param name="Dataset">The data set's name ("mnist").</param>
/// <param name="Split">"train" or "test".</param>
/// <param name="Samples">Samples used (a seeded random subset when fewer than the data set holds).</param>
public sealed record RealStatisticsKey(string Network, string NetworkFingerprint, string Dataset, string Split, int Samples)
{
    /// <summary>The cache file's name.</summary>
    public string FileName => $"{Network}_{Dataset}_{Split}_{Samples}_{NetworkFingerprint[..Math.Min(12, NetworkFingerprint.Length)]}.safetensors";

    /// <summary>The first 16 hex digits of the SHA-256 of a file: the fingerprint of a weights file.</summary>
    public static string Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }
}

/// <summary>
/// The statistics of a data set's real images under a feature network, computed once and cached as safetensors
/// (mean and covariance in float64, the real data's Inception Score in the metadata) in a stats folder beside the
/// data set; later evaluations reuse them. The samples are a seeded random subset of the split (all of it when
/// <see cref="RealStatisticsKey.Samples"/> is its size), so the same key always means the same images.
/// </summary>
public static class RealStatistics
{
    /// <summary>The seed of the subset drawn when fewer samples than the split holds are asked for.</summary>
    public const int SubsetSeed = 1234;

    /// <summary>Loads the cached statistics for <paramref name="key"/> from <paramref name="folder"/>, or computes and caches them.</summary>
    public static ImageScores GetOrCompute(RealStatisticsKey key, string folder, IFeatureNetwork net, IImageDataset data, Device device,
                                           Action<string>? say = null, Action<long, long>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        string path = Path.Combine(folder, key.FileName);
        if (File.Exists(path))
        {
            say?.Invoke($"Real statistics from {path}.");
            return Load(path);
        }
        if (key.Samples > data.Count)
            throw new ArgumentException($"The {key.Dataset} {key.Split} split has {data.Count} images; {key.Samples} were asked for.");
        say?.Invoke($"Computing the statistics of {key.Samples} real {key.Dataset} {key.Split} images with {key.Network} (cached in {path}).");
        var order = Subset(data.Count, key.Samples);
        int size = data.SampleSize(), position = 0;
        var scores = GeneratorScoring.Score(net, key.Samples, 250, n =>
        {
            var pixels = new float[n * size];
            for (int i = 0; i < n; i++) data.Read(order[position + i], pixels.AsSpan(i * size, size));
            position += n;
            return Tensor.FromArray(pixels, new Shape(n, data.Channels, data.Height, data.Width), device);
        }, progress, stop);
        Save(path, key, scores);
        return scores;
    }

    /// <summary>Indices 0..count−1 when all are used, else a seeded random subset of <paramref name="samples"/> of them.</summary>
    public static int[] Subset(int count, int samples)
    {
        var all = Enumerable.Range(0, count).ToArray();
        if (samples >= count) return all;
        new Random(SubsetSeed).Shuffle(all);
        return all[..samples];
    }

    /// <summary>Writes statistics (atomically) with their key and Inception Score in the metadata.</summary>
    public static void Save(string path, RealStatisticsKey key, ImageScores scores)
    {
        var f = scores.Features;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tensors = new Dictionary<string, Tensor>
        {
            ["mean"] = Tensor.FromArray(f.Mean, new Shape(f.Dimension), Device.Cpu),
            ["covariance"] = Tensor.FromArray(f.Covariance, new Shape(f.Dimension, f.Dimension), Device.Cpu),
        };
        var meta = new Dictionary<string, string>
        {
            ["format"] = "rawgan-real-statistics-v1",
            ["network"] = key.Network,
            ["network_fingerprint"] = key.NetworkFingerprint,
            ["dataset"] = key.Dataset,
            ["split"] = key.Split,
            ["samples"] = f.Count.ToString(CultureInfo.InvariantCulture),
            ["is_mean"] = scores.InceptionScore.Mean.ToString("R", CultureInfo.InvariantCulture),
            ["is_std"] = scores.InceptionScore.Std.ToString("R", CultureInfo.InvariantCulture),
            ["is_splits"] = scores.InceptionScore.Splits.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads statistics written by <see cref="Save"/>.</summary>
    public static ImageScores Load(string path)
    {
        using var file = SafeTensors.Load(path);
        double Meta(string k) => file.Metadata.TryGetValue(k, out var v)
            ? double.Parse(v, CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"{path} lacks the \"{k}\" metadata of real statistics; delete it to recompute.");
        var mean = file["mean"].ToDoubleArray();
        var cov = file["covariance"].ToDoubleArray();
        long count = (long)Meta("samples");
        var score = new InceptionScoreResult(Meta("is_mean"), Meta("is_std"), (int)Meta("is_splits"), (int)count);
        return new ImageScores(score, new FeatureStatistics(mean, cov, count));
    }
}
