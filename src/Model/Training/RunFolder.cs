using System.Globalization;

namespace RawGan.Model.Training;

/// <summary>
/// The folder of one training run: config.json, log.csv and log.jsonl, checkpoints/step_NNNNNNNN.safetensors
/// (the last K kept), samples/step_NNNNNNNN.png.
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(CheckpointsFolder);
        Directory.CreateDirectory(SamplesFolder);
    }

    /// <summary>The run's folder.</summary>
    public string Path { get; }

    /// <summary>The checkpoints' folder.</summary>
    public string CheckpointsFolder => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>The sample sheets' folder.</summary>
    public string SamplesFolder => System.IO.Path.Combine(Path, "samples");

    /// <summary>The run's configuration as JSON.</summary>
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>Opens (creating when needed) a run folder.</summary>
    public static RunFolder Open(string path) => new(path);

    /// <summary>A new folder under <paramref name="root"/> named after the time (and a suffix when taken).</summary>
    public static RunFolder CreateNew(string root, string? name = null)
    {
        string baseName = name ?? DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string path = System.IO.Path.Combine(root, baseName);
        for (int i = 2; Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any(); i++)
            path = System.IO.Path.Combine(root, $"{baseName}-{i}");
        return new RunFolder(path);
    }

    /// <summary>The checkpoint file of a step.</summary>
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsFolder, $"step_{step:D8}.safetensors");

    /// <summary>The sample sheet of a step.</summary>
    public string SamplePath(long step) => System.IO.Path.Combine(SamplesFolder, $"step_{step:D8}.png");

    /// <summary>Checkpoints in step order (complete files only: temporaries of an interrupted write are ignored).</summary>
    public IReadOnlyList<string> Checkpoints() =>
        Directory.GetFiles(CheckpointsFolder, "step_*.safetensors").Order(StringComparer.Ordinal).ToList();

    /// <summary>The newest checkpoint, or null.</summary>
    public string? LatestCheckpoint() => Checkpoints().LastOrDefault();

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints (and any marked as kept).</summary>
    public void PruneCheckpoints(int keep, IReadOnlySet<string>? protectedPaths = null)
    {
        var all = Checkpoints();
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)))
        {
            if (protectedPaths?.Contains(old) != true) File.Delete(old);
        }
    }

    /// <summary>
    /// Resolves what a user passed to --resume or to `rawgan sample`: a checkpoint file, or a run folder (its
    /// newest checkpoint). Throws with an actionable message otherwise.
    /// </summary>
    public static string ResolveCheckpoint(string runOrCheckpoint)
    {
        if (File.Exists(runOrCheckpoint)) return System.IO.Path.GetFullPath(runOrCheckpoint);
        if (Directory.Exists(runOrCheckpoint))
        {
            var latest = Open(runOrCheckpoint).LatestCheckpoint();
            return latest ?? throw new FileNotFoundException($"The run folder {runOrCheckpoint} has no checkpoint yet (checkpoints/step_*.safetensors).");
        }
        throw new FileNotFoundException($"{runOrCheckpoint} is neither a checkpoint file nor a run folder.");
    }
}
