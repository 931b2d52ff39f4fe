using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.Training;

namespace RawGan.Model.Analysis;

/// <summary>`rawgan sv-trace` from checkpoints: the spectra of G's and D's weights in each checkpoint of a run.</summary>
public static class CheckpointSpectra
{
    /// <summary>
    /// The rows of every weight of G and D in each checkpoint (in step order), computed on <paramref name="device"/>;
    /// <paramref name="progress"/> hears (done, total) after each checkpoint. Consecutive checkpoints warm-start
    /// each other, as the live trace does.
    /// </summary>
    public static List<WeightSpectrum> Compute(IReadOnlyList<string> checkpoints, Device device, Action<int, int>? progress = null)
    {
        using var spectra = new NetworkSpectra();
        var rows = new List<WeightSpectrum>();
        for (int i = 0; i < checkpoints.Count; i++)
        {
            using (var file = SafeTensors.Load(checkpoints[i], device))
            {
                if (!file.Metadata.TryGetValue("format", out var format) || format != Checkpoint.Format)
                    throw new InvalidDataException($"{checkpoints[i]} is not a RawGan training checkpoint (format \"{format ?? "missing"}\").");
                long step = Checkpoint.StepOf(file);
                rows.AddRange(spectra.Compute(step, [("G", Section(file, "G.")), ("D", Section(file, "D."))]));
            }
            progress?.Invoke(i + 1, checkpoints.Count);
        }
        return rows;
    }

    private static IReadOnlyDictionary<string, Tensor> Section(SafeTensorsFile file, string prefix) =>
        file.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
}
