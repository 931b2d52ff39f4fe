using System.Text.Json;
using System.Text.Json.Serialization;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;

namespace RawGan.Model.Training;

/// <summary>
/// Everything that defines a training run, stored as config.json in its folder and in every checkpoint, so that
/// `--resume` and `rawgan sample` rebuild exactly the same model.
/// </summary>
public sealed record RunConfig
{
    /// <summary>The BigGAN architecture.</summary>
    public BigGanConfig Model { get; init; } = BigGanConfig.Mnist32;

    /// <summary>Optimisation settings.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>The data set: "mnist", "fashion-mnist", "cifar10", "folder" or "synthetic".</summary>
    public string Data { get; init; } = "mnist";

    /// <summary>Where the data lives (MNIST cache folder, CIFAR-10 batches, image root); null for the default.</summary>
    public string? DataPath { get; init; }

    /// <summary>An image folder's files that cannot be decoded are left out (with a warning naming them) instead of failing the run.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Seed of the data loader's per-epoch shuffles.</summary>
    public ulong DataSeed { get; init; } = 1;

    /// <summary>Seed of the model's initial weights.</summary>
    public ulong ModelSeed { get; init; } = 0;

    /// <summary>Log a line every this many steps.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Write a sample sheet every this many steps (0: only at the end).</summary>
    public int SampleEvery { get; init; } = 250;

    /// <summary>Write a checkpoint every this many steps (0: only at the end).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Checkpoints to keep (the newest).</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>Columns of the sample sheet (one row per class).</summary>
    public int SamplesPerClass { get; init; } = 8;

    /// <summary>
    /// Rows of the sample sheet: this many classes, evenly spaced over the model's (all of them when it has no more).
    /// ImageNet's 1000 rows would be 8000 images drawn at every sample step.
    /// </summary>
    public int SampleClasses { get; init; } = 10;

    /// <summary>Seed of the sample sheet's fixed latents.</summary>
    public ulong SampleSeed { get; init; } = 12345;

    /// <summary>Append σ0..σ2 of every weight of G and D to sv.csv every this many steps (0: off).</summary>
    public int SvEvery { get; init; } = 10;

    /// <summary>The collapse detector's thresholds and what to do on an event.</summary>
    public CollapseOptions Collapse { get; init; } = new();

    /// <summary>Settings changed when the run was resumed, oldest first, each with the step from which it applies.</summary>
    public IReadOnlyList<ConfigChange> Changes { get; init; } = [];

    /// <summary>
    /// Run the training step as a captured CUDA graph where the backend can (CUDA); the results are the same. A choice
    /// of how to run, like the device, so not stored: `--no-graphs` turns it off for this session.
    /// </summary>
    [JsonIgnore]
    public bool CudaGraphs { get; init; } = true;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        IgnoreReadOnlyProperties = true,
    };

    /// <summary>The configuration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The classes of the sample sheet's rows (<see cref="SampleClasses"/> of the model's, evenly spaced).</summary>
    public int[] SheetClasses() => EvenlySpacedClasses(Model.NumClasses, SampleClasses);

    /// <summary><paramref name="count"/> of <paramref name="numClasses"/> classes, evenly spaced from class 0 (all of them when count ≥ numClasses).</summary>
    public static int[] EvenlySpacedClasses(int numClasses, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A sample sheet needs at least one class row.");
        int rows = Math.Min(numClasses, count);
        return Enumerable.Range(0, rows).Select(i => (int)((long)i * numClasses / rows)).ToArray();
    }

    /// <summary>Parses config.json text; throws <see cref="InvalidDataException"/> naming the source when it is not one.</summary>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new InvalidDataException($"{source} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a valid RawGan run configuration: {e.Message}", e);
        }
    }
}

/// <summary>A setting changed on resume: the flag, its old and new values, and the step the run resumed at (the new value applies from the step after it).</summary>
public sealed record ConfigChange(long Step, string Option, string From, string To);
