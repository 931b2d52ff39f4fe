using System.Text.Json;
using System.Text.Json.Serialization;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>IS and FID of one trained cell and seed at one truncation.</summary>
public sealed record SweepScore
{
    /// <summary>The truncation threshold, or null when untruncated.</summary>
    [JsonPropertyName("truncation")] public double? Truncation { get; init; }

    /// <summary>Inception Score (mean over 10 splits).</summary>
    [JsonPropertyName("is")] public double Is { get; init; }

    /// <summary>Fréchet distance to the real statistics.</summary>
    [JsonPropertyName("fid")] public double Fid { get; init; }
}

/// <summary>One line of results.jsonl: a finished cell and seed, how its training ended and what it scored.</summary>
public sealed record SweepResult
{
    /// <summary>The cell's index.</summary>
    [JsonPropertyName("cell")] public int Cell { get; init; }

    /// <summary>The cell's settings ("batch=64 ch=24").</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }

    /// <summary>The seed.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; }

    /// <summary>How training ended (Completed, Diverged, Collapsed).</summary>
    [JsonPropertyName("outcome")] public TrainingOutcome Outcome { get; init; }

    /// <summary>The generator step of the scored checkpoint.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }

    /// <summary>Seconds of training (all sessions of the run, when it was resumed).</summary>
    [JsonPropertyName("train_seconds")] public double TrainSeconds { get; init; }

    /// <summary>Real images per second of the last training session.</summary>
    [JsonPropertyName("images_per_second")] public double ImagesPerSecond { get; init; }

    /// <summary>The scored checkpoint, relative to the sweep folder (null when training wrote none).</summary>
    [JsonPropertyName("checkpoint")] public string? Checkpoint { get; init; }

    /// <summary>IS and FID per truncation (none when there was no checkpoint to score).</summary>
    [JsonPropertyName("scores")] public IReadOnlyList<SweepScore> Scores { get; init; } = [];
}

/// <summary>Appends to and reads a sweep's results.jsonl (one JSON object per line).</summary>
public static class SweepResults
{
    /// <summary>The file name in the sweep folder.</summary>
    public const string FileName = "results.jsonl";

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Appends one result, flushed before returning.</summary>
    public static void Append(string path, SweepResult result) => JsonLines.Append(path, [result], Json);

    /// <summary>Every result of a file (none when it does not exist); an unreadable line is an error naming it.</summary>
    public static IReadOnlyList<SweepResult> Read(string path) => JsonLines.Read<SweepResult>(path, Json, "a sweep result (delete the line to redo that run)");
}
