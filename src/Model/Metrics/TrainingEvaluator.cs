using System.Globalization;
using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Model.Metrics;

/// <summary>
/// `rawgan train --eval-every N`: every N steps scores G_ema (IS and FID at one truncation setting) into the run's
/// eval.jsonl and, when the FID is the best so far (including earlier sessions of the run), copies that step's
/// checkpoint to best.safetensors in the run folder atomically.
/// </summary>
public sealed class TrainingEvaluator
{
    /// <summary>The file the best checkpoint is copied to, in the run folder.</summary>
    public const string BestFileName = "best.safetensors";

    private readonly FeatureSetup _features;
    private double _bestFid;

    /// <summary>Evaluates every <paramref name="every"/> steps with <paramref name="samples"/> images at <paramref name="truncation"/> (null: none).</summary>
    public TrainingEvaluator(FeatureSetup features, long every, int samples, double? truncation, ulong seed, RunFolder run)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        _features = features;
        Every = every;
        Samples = samples;
        Truncation = truncation;
        Seed = seed;
        // Resuming: the best FID of earlier sessions with the same settings still stands.
        _bestFid = EvalLog.Read(Path.Combine(run.Path, EvalLog.FileName))
            .Where(r => r.Source == "train" && Same(r))
            .Select(r => r.Fid).DefaultIfEmpty(double.PositiveInfinity).Min();
    }

    /// <summary>Steps between evaluations.</summary>
    public long Every { get; }

    /// <summary>Generated images per evaluation.</summary>
    public int Samples { get; }

    /// <summary>Truncation threshold, or null for untruncated latents.</summary>
    public double? Truncation { get; }

    /// <summary>Seed of the latents (the same images every time, so curves compare like with like).</summary>
    public ulong Seed { get; }

    /// <summary>
    /// Scores <paramref name="gEma"/> at <paramref name="step"/> (sampled under <paramref name="precision"/>; the feature
    /// network computes in Float32), logs it and updates best.safetensors from <paramref name="checkpoint"/>.
    /// </summary>
    public EvalRecord Evaluate(RunFolder run, long step, BigGanGenerator gEma, string checkpoint, Device device, Precision precision = Precision.Fp32)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(gEma);
        bool training = gEma.Training;
        gEma.Eval();
        EvalRecord record;
        try
        {
            record = _features.Evaluate("train", step, Path.GetRelativePath(run.Path, checkpoint), (z, y) => gEma.Generate(precision, z, y), gEma.DimZ, gEma.Config.NumClasses,
                                        Samples, Truncation, Seed, device);
        }
        finally
        {
            gEma.Train(training);
        }
        EvalLog.Append(Path.Combine(run.Path, EvalLog.FileName), [record]);
        if (record.Fid < _bestFid)
        {
            _bestFid = record.Fid;
            CopyAtomically(checkpoint, Path.Combine(run.Path, BestFileName));
        }
        return record;
    }

    /// <summary>A one-line report of a record for the training log.</summary>
    public string Describe(EvalRecord r) =>
        string.Create(CultureInfo.InvariantCulture, $"Eval step {r.Step}: IS {r.IsMean:F3} ± {r.IsStd:F3}, FID {r.Fid:F3} ({r.Network}, truncation {EvalRecord.FormatTruncation(r.Truncation)}, {r.Samples} samples){(r.Fid <= _bestFid ? ", best so far" : "")}");

    private bool Same(EvalRecord r) =>
        r.Network == _features.Network.Name && r.NetworkFingerprint == _features.Fingerprint && r.RealSplit == _features.Key.Split &&
        r.RealSamples == _features.Key.Samples && r.Samples == Samples && r.Truncation == Truncation;

    // Copy beside the target, then rename over it: a reader never sees half a file.
    private static void CopyAtomically(string source, string target)
    {
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.Copy(source, temp);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
