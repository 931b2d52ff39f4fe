using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawGan.Model.Metrics;

/// <summary>One line of a run's eval.jsonl: IS and FID of the EMA generator at one truncation setting.</summary>
public sealed record EvalRecord
{
    /// <summary>"eval" (rawgan eval) or "train" (rawgan train --eval-every).</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    /// <summary>UTC time of the measurement.</summary>
    [JsonPropertyName("time")] public DateTime Time { get; init; } = DateTime.UtcNow;

    /// <summary>The training step of the generator.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }

    /// <summary>The checkpoint scored (relative to the run folder when inside it).</summary>
    [JsonPropertyName("checkpoint")] public string? Checkpoint { get; init; }

    /// <summary>The feature network's name.</summary>
    [JsonPropertyName("network")] public required string Network { get; init; }

    /// <summary>Digest of the feature network's weights.</summary>
    [JsonPropertyName("network_fingerprint")] public required string NetworkFingerprint { get; init; }

    /// <summary>The data set the real statistics come from.</summary>
    [JsonPropertyName("dataset")] public required string Dataset { get; init; }

    /// <summary>The split of the real statistics.</summary>
    [JsonPropertyName("real_split")] public required string RealSplit { get; init; }

    /// <summary>Real images behind the statistics.</summary>
    [JsonPropertyName("real_samples")] public int RealSamples { get; init; }

    /// <summary>Generated images scored.</summary>
    [JsonPropertyName("samples")] public int Samples { get; init; }

    /// <summary>The truncation threshold of z, or null when untruncated.</summary>
    [JsonPropertyName("truncation")] public double? Truncation { get; init; }

    /// <summary>Batches of standing statistics G normalised with (0: the checkpoint's running statistics).</summary>
    [JsonPropertyName("standing_stats")] public int StandingStats { get; init; }

    /// <summary>Inception Score (mean over 10 splits).</summary>
    [JsonPropertyName("is_mean")] public double IsMean { get; init; }

    /// <summary>Inception Score (population standard deviation over the splits).</summary>
    [JsonPropertyName("is_std")] public double IsStd { get; init; }

    /// <summary>Fréchet distance to the real statistics.</summary>
    [JsonPropertyName("fid")] public double Fid { get; init; }

    /// <summary>Seconds the measurement took.</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>A threshold as the command line writes it: "none" or the number.</summary>
    public static string FormatTruncation(double? truncation) =>
        truncation is { } t ? t.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "none";

    /// <summary>Parses "none" or a positive number.</summary>
    public static double? ParseTruncation(string text)
    {
        text = text.Trim();
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double t) && t > 0) return t;
        throw new ArgumentException($"\"{text}\" is not a truncation threshold: give a positive number or none.");
    }
}

/// <summary>Appends to and reads a run's eval.jsonl (one JSON object per line).</summary>
public static class EvalLog
{
    /// <summary>The file name in a run folder.</summary>
    public const string FileName = "eval.jsonl";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Appends records, one line each, flushed before returning.</summary>
    public static void Append(string path, IEnumerable<EvalRecord> records) => JsonLines.Append(path, records, Json);

    /// <summary>Every record of a file (none when it does not exist); unreadable lines are an error naming the line.</summary>
    public static IReadOnlyList<EvalRecord> Read(string path) => JsonLines.Read<EvalRecord>(path, Json, "an eval record");
}
