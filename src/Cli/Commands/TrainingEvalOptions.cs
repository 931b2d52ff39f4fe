using System.CommandLine;
using RawGan.Engine;
using RawGan.Model.Metrics;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan train --eval-every N` and its settings: IS/FID during training into eval.jsonl, best.safetensors by FID.</summary>
internal sealed class TrainingEvalOptions
{
    private readonly EvalOptions _features = new();

    public Option<long> EvalEvery { get; } = new Option<long>("--eval-every")
    {
        Description = "Every N steps, measure IS and FID of G_ema into eval.jsonl and copy the checkpoint with the best FID to best.safetensors (0: off).",
        DefaultValueFactory = _ => 0L,
    }.AtLeast(0L);

    public Option<int> EvalSamples { get; } = new Option<int>("--eval-samples") { Description = "Generated images per evaluation during training.", DefaultValueFactory = _ => 5000 }
        .AtLeast(InceptionScore.DefaultSplits);

    public Option<string> EvalTruncation { get; } = new("--eval-truncation")
    {
        Description = "Truncation threshold of the evaluations during training (none: untruncated).",
        DefaultValueFactory = _ => "none",
    };

    public IEnumerable<Option> All => new Option[] { EvalEvery, EvalSamples, EvalTruncation }.Concat(_features.All);

    /// <summary>The evaluator, or null when --eval-every is 0.</summary>
    public TrainingEvaluator? Create(ParseResult r, RunConfig config, RunFolder run, Device device)
    {
        long every = r.GetValue(EvalEvery);
        if (every <= 0) return null;
        var truncation = EvalRecord.ParseTruncation(r.GetValue(EvalTruncation)!);
        int samples = r.GetValue(EvalSamples);
        // The setup lives as long as the process: the training session uses it until the end.
        var setup = _features.Open(r, config, device);
        return new TrainingEvaluator(setup, every, samples, truncation, config.SampleSeed, run);
    }
}
