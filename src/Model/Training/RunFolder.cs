using System.Globalization;

namespace RawGan.Model.Training;

/// <summary>
/// The folder of one training run: config.json, log.csv and log.jsonl, checkpoints/step_NNNNNNNN.safetensors
/// (the last K kept), samples/step_NNNNNNNN.png. Nothing is created on disk until <see cref="Create"/>, so a run
/// that fails before it starts leaves no folder behind.
/// </summary>
public sealed class RunFolder
{
    private RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The run's folder.</summary>
    public string Path { get; }

    /// <summary>The checkpoints' folder.</summary>
    public string CheckpointsFolder => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>The sample sheets' folder.</summary>
    public string SamplesFolder => System.IO.Path.Combine(Path, "samples");

    /// <summary>The run's configuration as JSON.</summary>
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>A run folder at <paramref name="path"/> (existing or not; nothing is created).</summary>
    public static RunFolder Open(string path) => new(path);

    /// <summary>A new run folder under <paramref name="root"/> named after the time (and a suffix when taken); created by <see cref="Create"/>.</summary>
    public static RunFolder CreateNew(string root, string? name = null)
    {
        string baseName = name ?? DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string path = System.IO.Path.Combine(root, baseName);
        for (int i = 2; Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any(); i++)
            path = System.IO.Path.Combine(root, $"{baseName}-{i}");
        return new RunFolder(path);
    }

    /// <summary>The run folder a checkpoint belongs to: the folder above checkpoints/ (also from an abandoned-* subfolder), else the file's own folder (best.safetensors).</summary>
    public static RunFolder OfCheckpoint(string checkpoint)
    {
        var folder = new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(checkpoint))!);
        for (var d = folder; d?.Parent is not null; d = d.Parent)
        {
            if (d.Name == "checkpoints") return new RunFolder(d.Parent.FullName);
            if (!d.Name.StartsWith(AbandonedPrefix, StringComparison.Ordinal)) break;
        }
        return new RunFolder(folder.FullName);
    }

    /// <summary>Creates the folder and its checkpoints/ and samples/ folders; the message of a failure names the folder.</summary>
    public void Create()
    {
        try
        {
            Directory.CreateDirectory(CheckpointsFolder);
            Directory.CreateDirectory(SamplesFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create the run folder {Path} ({e.Message}); choose a writable folder (rawgan train --runs).", e);
        }
    }

    /// <summary>The checkpoint file of a step.</summary>
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsFolder, $"step_{step:D8}.safetensors");

    /// <summary>The sample sheet of a step.</summary>
    public string SamplePath(long step) => System.IO.Path.Combine(SamplesFolder, $"step_{step:D8}.png");

    /// <summary>Checkpoints in step order (complete files only: temporaries of an interrupted write are ignored).</summary>
    public IReadOnlyList<string> Checkpoints() => Directory.Exists(CheckpointsFolder)
        ? Directory.GetFiles(CheckpointsFolder, "step_*.safetensors").Order(StringComparer.Ordinal).ToList()
        : [];

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
    /// Deletes the temporary files that checkpoint writes killed mid-way leave (".step_*.tmp", up to a checkpoint's
    /// size each); a run calls it before it writes checkpoints. Returns their names.
    /// </summary>
    public IReadOnlyList<string> RemoveStaleTemporaries()
    {
        if (!Directory.Exists(CheckpointsFolder)) return [];
        var stale = Directory.GetFiles(CheckpointsFolder, ".step_*.tmp");
        foreach (var file in stale) File.Delete(file);
        return stale.Select(System.IO.Path.GetFileName).ToList()!;
    }

    /// <summary>The prefix of the folders that hold an abandoned branch's checkpoints.</summary>
    public const string AbandonedPrefix = "abandoned-";

    /// <summary>
    /// Moves the checkpoints of steps after <paramref name="step"/> into checkpoints/abandoned-&lt;time&gt;/: a run
    /// resumed from an older checkpoint starts a new branch, and the old branch's newer files must not be taken for
    /// the run's newest. Returns the folder and the files moved (none: null).
    /// </summary>
    public (string Folder, IReadOnlyList<string> Files)? SetAsideCheckpointsAfter(long step)
    {
        var newer = Checkpoints().Where(c => StepOfName(c) > step).ToList();
        if (newer.Count == 0) return null;
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string folder = System.IO.Path.Combine(CheckpointsFolder, AbandonedPrefix + stamp);
        for (int i = 2; Directory.Exists(folder); i++) folder = System.IO.Path.Combine(CheckpointsFolder, $"{AbandonedPrefix}{stamp}-{i}");
        Directory.CreateDirectory(folder);
        foreach (var file in newer) File.Move(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
        return (folder, newer.Select(System.IO.Path.GetFileName).ToList()!);
    }

    /// <summary>
    /// Resolves what a user passed to `rawgan sample` or `eval`: a checkpoint file, or a run folder (its newest
    /// checkpoint). Throws with an actionable message otherwise.
    /// </summary>
    public static string ResolveCheckpoint(string runOrCheckpoint) =>
        CheckpointCandidates(runOrCheckpoint)[0];

    /// <summary>
    /// The checkpoints --resume may continue from, best first: the file itself, or a run folder's checkpoints from
    /// the newest (the caller falls back to older ones when the newest cannot be used).
    /// </summary>
    public static IReadOnlyList<string> CheckpointCandidates(string runOrCheckpoint)
    {
        if (File.Exists(runOrCheckpoint)) return [System.IO.Path.GetFullPath(runOrCheckpoint)];
        if (Directory.Exists(runOrCheckpoint))
        {
            var all = Open(runOrCheckpoint).Checkpoints();
            return all.Count > 0
                ? all.Reverse().ToList()
                : throw new FileNotFoundException($"The run folder {runOrCheckpoint} has no checkpoint yet (checkpoints/step_*.safetensors).");
        }
        throw new FileNotFoundException($"{runOrCheckpoint} is neither a checkpoint file nor a run folder.");
    }

    // step_00000040.safetensors → 40 (the names this class writes; another name sorts before every step).
    private static long StepOfName(string path) =>
        long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path)["step_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : long.MinValue;
}
