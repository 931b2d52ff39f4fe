using System.Diagnostics;
using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Model.Training;

namespace RawGan.Model.Analysis;

/// <summary>
/// The analysis side of a training session: every <see cref="RunConfig.SvEvery"/> steps the singular values of
/// every weight of G and D go to sv.csv (warm-started, so a trace costs a few products per weight), and the
/// collapse detector sees the losses, the spectra and the sample sheets' diversity. On a resumed run the rows of
/// sv.csv after the resumed step are dropped first, so the file never repeats a step.
/// </summary>
public sealed class TrainingMonitor
{
    private readonly RunFolder _run;
    private readonly RunConfig _config;
    private readonly Module _g, _d;
    private readonly NetworkSpectra _spectra = new(new SubspaceSvdOptions(MaxIterations: 50));
    private readonly CollapseDetector _detector;
    private readonly Stopwatch _svClock = new();
    private int _traces, _reads;

    /// <summary>Starts monitoring G and D of a run that is at <paramref name="step"/> (0 for a new run).</summary>
    public TrainingMonitor(RunFolder run, RunConfig config, Module g, Module d, long step)
    {
        _run = run;
        _config = config;
        _g = g;
        _d = d;
        _detector = new CollapseDetector(config.Collapse);
        SvCsv.TruncateAfter(SvPath, step);
        // A resumed run's detector sees the σ0 history it had; the sample-diversity reference restarts with the session.
        if (File.Exists(SvPath)) _detector.ObserveSpectra(SvCsv.Read(SvPath));
        if (config.SvEvery > 0 && !File.Exists(SvPath)) Trace(step); // the spectra at initialisation (or where a run without a trace resumes)
    }

    /// <summary>sv.csv of the run.</summary>
    public string SvPath => Path.Combine(_run.Path, SvCsv.FileName);

    /// <summary>After a generator step: records its losses and, every SvEvery steps, traces the spectra.</summary>
    public void AfterStep(long step, StepLosses losses)
    {
        _detector.ObserveLosses(step, losses.DReal, losses.G);
        if (_config.SvEvery > 0 && step % _config.SvEvery == 0) Trace(step);
    }

    /// <summary>The fixed-latent G_ema samples of a sample sheet (N, C, H, W).</summary>
    public void ObserveSamples(Tensor images)
    {
        // Within each row of the sheet (one class, SamplesPerClass latents): G drawing one image per class whatever z
        // shows there, not in the whole sheet, whose rows still differ (README, "Collapse study").
        int n = images.Shape[0], perRow = _config.SamplesPerClass;
        if (n < 2) return; // one image has no diversity to watch
        LastDiversity = SampleDiversity.MeanPairwiseDistance(images, perRow >= 2 && n % perRow == 0 ? perRow : n);
        _detector.ObserveDiversity(LastDiversity);
    }

    /// <summary>The mean pairwise distance of the last sample sheet's images (NaN before the first).</summary>
    public double LastDiversity { get; private set; } = double.NaN;

    /// <summary>A collapse event at this step, or null.</summary>
    public CollapseEvent? Check(long step) => _detector.Check(step);

    /// <summary>
    /// "sv trace: every 10 steps; 70 traces in 3.10 s (44.3 ms each, 2.1 device reads each); …/sv.csv": the cost of
    /// tracing, for the end of a session; the reads are the host's synchronisations with the device (the tracer's
    /// state and sv0).
    /// </summary>
    public string Summary()
    {
        if (_config.SvEvery <= 0) return "sv trace: off";
        // A short resumed session may end before its first due step: tracing is on all the same.
        string traces = _traces == 0
            ? "no trace was due in this session"
            : $"{_traces} traces in {_svClock.Elapsed.TotalSeconds:F2} s ({_svClock.Elapsed.TotalMilliseconds / _traces:F1} ms each, " +
              $"{(double)_reads / _traces:F1} device reads each)";
        return $"sv trace: every {_config.SvEvery} steps; {traces}; {SvPath}";
    }

    private void Trace(long step)
    {
        _svClock.Start();
        var rows = _spectra.Compute(step, [("G", _g), ("D", _d)]);
        SvCsv.Append(SvPath, rows);
        _svClock.Stop();
        _traces++;
        _reads += _spectra.LastReads;
        _detector.ObserveSpectra(rows);
    }
}
