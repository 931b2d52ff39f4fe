using System.CommandLine;
using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Metrics;

namespace RawGan.Cli.Commands;

/// <summary>`--standing-stats N` of `rawgan sample` and `rawgan eval`: the paper's standing statistics before sampling.</summary>
internal sealed class StandingStatsOptions
{
    public Option<int> Batches { get; } = new("--standing-stats")
    {
        Description = "Standing statistics: before sampling, run G in training mode over N batches of fresh latents and use the average of their " +
                      "batch-norm statistics instead of the checkpoint's running ones (0: off).",
        DefaultValueFactory = _ => 0,
    };

    public Option<int> BatchSize { get; } = new("--standing-batch-size") { Description = "Latents per standing-statistics batch.", DefaultValueFactory = _ => 100 };

    public IEnumerable<Option> All => [Batches, BatchSize];

    /// <summary>The number of batches asked for (0: off); an error for a negative count, a batch under 2, or together with --batch-stats.</summary>
    public int Requested(ParseResult r, bool batchStats)
    {
        int batches = r.GetValue(Batches);
        if (batches < 0) throw new ArgumentOutOfRangeException("--standing-stats", batches, "--standing-stats must be ≥ 0 (0 turns it off).");
        if (batches > 0 && r.GetValue(BatchSize) < 2) throw new ArgumentException("--standing-batch-size must be at least 2 (batch statistics need two images).");
        if (batches > 0 && batchStats) throw new ArgumentException("--standing-stats and --batch-stats exclude each other: pick the statistics G normalises with.");
        return batches;
    }

    /// <summary>
    /// Re-estimates G's batch-norm statistics over the requested batches, latents drawn as the samples are (truncated at
    /// <paramref name="truncation"/>, null: untruncated) from seed <paramref name="seed"/> + 1, so they are not the samples' own.
    /// </summary>
    public void Apply(ParseResult r, BigGanGenerator g, double? truncation, ulong seed, Device device) =>
        StandingStatistics.Accumulate(g, r.GetValue(Batches), r.GetValue(BatchSize),
                                      GeneratorScoring.Latents(g.DimZ, g.NumClasses, truncation, seed + 1, device));
}
