using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>Ready-made sweeps, by name.</summary>
public static class SweepPresets
{
    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["table1"];

    /// <summary>A preset by name (case-insensitive) on <paramref name="data"/>.</summary>
    public static SweepSpec Get(string name, string data = "mnist") => name.ToLowerInvariant() switch
    {
        "table1" => Table1(data),
        _ => throw new ArgumentException($"Unknown sweep preset \"{name}\"; the presets are {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The paper's Table 1 at MNIST scale: its rows are cumulative, each adding one change to the row before. Batch
    /// ×1, ×2, ×4, ×8 (16 to 128, the paper's 256 to 2048), then width ×1.5 (ch 16 → 24), the shared class
    /// embedding, the hierarchical latent and orthogonal regularisation (1e-4), each trained with 3 seeds for 250
    /// steps and scored untruncated and at truncation 1.0 with 5,000 samples. The base is `rawgan train`'s default
    /// run (<see cref="BigGanConfig.Mnist32"/>: the reference CIFAR layout at ch 16; Adam 2e-4 both, 2 D steps) with
    /// EMA 0.98 from step 100, σ tracing off (it took 45 % of the default run's time on the H200) and one sample
    /// sheet at the end. Sized for one H200 in under 8 minutes (README, "Sweeps").
    /// </summary>
    public static SweepSpec Table1(string data = "mnist")
    {
        var start = DefaultBase(data);
        var baseConfig = start with
        {
            // A shorter EMA horizon for shorter runs: 0.98^150 leaves 5 % of the step-100 G in the average at the end.
            Training = start.Training with { Steps = 250, BatchSize = 16, EmaStart = 100, EmaDecay = 0.98 },
            CheckpointEvery = 100,
        };
        return new SweepSpec
        {
            Name = "table1",
            Base = baseConfig,
            Rows = Cumulative(
                [("batch", "16")], [("batch", "32")], [("batch", "64")], [("batch", "128")],
                [("ch", "24")], [("shared", "true")], [("hier", "true")], [("ortho", "1e-4")]),
            Seeds = [0, 1, 2],
            Truncations = ["none", "1.0"],
            EvalSamples = 5000,
            Baseline = 0,
        };
    }

    /// <summary>
    /// `rawgan train`'s default run (<see cref="BigGanConfig.Mnist32"/>, 700 steps at batch 32, Adam 2e-4 both, 2 D
    /// steps, EMA 0.99 from step 200, no orthogonal regularisation) on <paramref name="data"/>, with σ tracing off and
    /// one sample sheet at the end: the base of a sweep built from --axis flags.
    /// </summary>
    public static RunConfig DefaultBase(string data = "mnist") => new()
    {
        Model = BigGanConfig.Mnist32,
        Training = new TrainingOptions
        {
            Steps = 700, BatchSize = 32, GLearningRate = 2e-4, DLearningRate = 2e-4, Beta1 = 0, Beta2 = 0.999, AdamEps = 1e-6,
            DStepsPerGStep = 2, EmaDecay = 0.99, EmaStart = 200, GOrtho = 0, DOrtho = 0,
        },
        Data = data, LogEvery = 10, SampleEvery = 0, CheckpointEvery = 250, KeepCheckpoints = 1, SvEvery = 0,
    };

    // Row i holds the settings of rows 0..i, later ones overriding earlier ones of the same axis.
    private static IReadOnlyList<IReadOnlyList<SweepAxisValues>> Cumulative(params (string Axis, string Value)[][] changes)
    {
        var rows = new List<IReadOnlyList<SweepAxisValues>>();
        var current = new List<(string Axis, string Value)>();
        foreach (var change in changes)
        {
            foreach (var setting in change)
            {
                current.RemoveAll(s => s.Axis == setting.Axis);
                current.Add(setting);
            }
            rows.Add(current.Select(s => new SweepAxisValues(s.Axis, [s.Value])).ToList());
        }
        return rows;
    }
}
