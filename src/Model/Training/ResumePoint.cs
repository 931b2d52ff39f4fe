using RawGan.Engine.IO;

namespace RawGan.Model.Training;

/// <summary>The checkpoint a resumed run continues from, with the configuration and step it holds.</summary>
public sealed record ResumePoint(string Checkpoint, RunConfig Config, long Step)
{
    /// <summary>
    /// For a checkpoint file: that file, checked (<see cref="Training.Checkpoint.CheckResumable"/>). For a run folder:
    /// its newest checkpoint that passes the check; each newer one that fails is named, with why, through
    /// <paramref name="say"/> (a copy cut short by a full disk, a file damaged after it was written).
    /// </summary>
    public static ResumePoint Choose(string runOrCheckpoint, Action<string> say)
    {
        var candidates = RunFolder.CheckpointCandidates(runOrCheckpoint);
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            try
            {
                using var file = SafeTensors.Load(candidate);
                Training.Checkpoint.CheckResumable(file);
                return new ResumePoint(candidate, Training.Checkpoint.ConfigOf(file), Training.Checkpoint.StepOf(file));
            }
            catch (Exception e) when (e is InvalidDataException or IOException && candidates.Count > 1)
            {
                failures.Add($"{Path.GetFileName(candidate)}: {e.Message}");
                if (failures.Count < candidates.Count) say($"Skipping {candidate}: {e.Message}");
            }
        }
        throw new InvalidDataException($"No checkpoint of {runOrCheckpoint} can be resumed: {string.Join(" | ", failures)}");
    }
}
