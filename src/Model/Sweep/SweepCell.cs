using System.Globalization;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>One configuration of a sweep: its index, the axis settings that make it, and the configuration they give (seed not yet applied).</summary>
public sealed record SweepCell(int Index, IReadOnlyList<(string Axis, string Value)> Settings, RunConfig Config)
{
    /// <summary>"batch=64 ch=24", or "base" with no settings.</summary>
    public string Label => Describe(Settings);

    /// <summary>The folder name of this cell's run with <paramref name="seed"/>.</summary>
    public string RunName(ulong seed) => string.Create(CultureInfo.InvariantCulture, $"cell{Index:D2}-seed{seed}");

    /// <summary>The configuration for one seed, as `rawgan train --seed` sets it: weights and latents from the seed, data order from seed + 1.</summary>
    public RunConfig ForSeed(ulong seed) => Config with
    {
        Training = Config.Training with { Seed = seed },
        ModelSeed = seed,
        DataSeed = seed + 1,
    };

    /// <summary>Settings as "axis=value" joined by spaces.</summary>
    public static string Describe(IEnumerable<(string Axis, string Value)> settings)
    {
        var text = string.Join(" ", settings.Select(s => $"{s.Axis}={s.Value}"));
        return text.Length == 0 ? "base" : text;
    }
}
