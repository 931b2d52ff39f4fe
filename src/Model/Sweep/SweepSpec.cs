using System.Text.Json;
using System.Text.Json.Serialization;
using RawGan.Model.Metrics;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>One axis of a grid and the values it takes.</summary>
/// <param name="Axis">The axis name (see <see cref="SweepAxes"/>).</param>
/// <param name="Values">Its values, as text ("32", "true", "1e-4").</param>
public sealed record SweepAxisValues(string Axis, IReadOnlyList<string> Values);

/// <summary>
/// What a sweep runs: a base run configuration, the cells (explicit rows, each a set of axis settings on the
/// base, crossed with a grid: every combination of some axes' values), the seeds every cell is trained with, and how
/// each trained generator is scored (truncations, samples). Stored as sweep.json in the sweep's folder.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>A name for titles.</summary>
    public string Name { get; init; } = "sweep";

    /// <summary>The configuration every cell starts from (config.json's format; missing fields take RunConfig's defaults).</summary>
    public RunConfig Base { get; init; } = new();

    /// <summary>Explicit rows: each a list of (axis, value) settings applied to the base in order. None: one row, the base.</summary>
    public IReadOnlyList<IReadOnlyList<SweepAxisValues>> Rows { get; init; } = [];

    /// <summary>Axes crossed with every row: all combinations of their values, the first axis varying slowest.</summary>
    public IReadOnlyList<SweepAxisValues> Grid { get; init; } = [];

    /// <summary>Seeds: each cell is trained once per seed (weights, latents and data order).</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0];

    /// <summary>Truncation thresholds each trained G_ema is scored at ("none": untruncated).</summary>
    public IReadOnlyList<string> Truncations { get; init; } = ["none"];

    /// <summary>Generated images per truncation.</summary>
    public int EvalSamples { get; init; } = 5000;

    /// <summary>Seed of the scored latents: the same for every cell.</summary>
    public ulong EvalSeed { get; init; }

    /// <summary>The cell the relative changes are measured against (index into <see cref="Cells"/>).</summary>
    public int Baseline { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(), new SweepJson.AxisValuesConverter(), new SweepJson.RunConfigConverter(), new SweepJson.TextListConverter() },
        IgnoreReadOnlyProperties = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The truncation thresholds parsed (null: none).</summary>
    public IReadOnlyList<double?> Thresholds() => Truncations.Select(EvalRecord.ParseTruncation).ToArray();

    /// <summary>
    /// The cells, rows first then grid combinations, each with its configuration (seeded by the caller); throws
    /// naming the cell when a configuration is invalid.
    /// </summary>
    public IReadOnlyList<SweepCell> Cells()
    {
        var rows = Rows.Count > 0 ? Rows : [[]];
        IEnumerable<IReadOnlyList<(string Axis, string Value)>> combinations = [[]];
        foreach (var axis in Grid)
        {
            if (axis.Values.Count == 0) throw new ArgumentException($"The sweep's grid axis {axis.Axis} has no values.");
            combinations = combinations.SelectMany(c => axis.Values.Select(v => (IReadOnlyList<(string, string)>)[.. c, (axis.Axis, v)])).ToList();
        }
        var cells = new List<SweepCell>();
        foreach (var row in rows)
        {
            var rowSettings = row.Select(a => a.Values.Count == 1
                ? (Axis: a.Axis, Value: a.Values[0])
                : throw new ArgumentException($"A sweep row sets axis {a.Axis} to {a.Values.Count} values; a row takes one value per axis (use the grid for several)."));
            foreach (var combination in combinations)
            {
                var settings = rowSettings.Concat(combination).ToArray();
                var config = settings.Aggregate(Base, (c, s) => SweepAxes.Apply(c, s.Axis, s.Value));
                try
                {
                    config.Model.Validate();
                    config.Training.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Sweep cell {cells.Count} ({SweepCell.Describe(settings)}): {e.Message}", e);
                }
                cells.Add(new SweepCell(cells.Count, settings, config));
            }
        }
        return cells;
    }

    /// <summary>Throws with the first problem: no seeds, duplicate seeds, bad truncations, too few samples, baseline out of range, invalid cells.</summary>
    public SweepSpec Validate()
    {
        if (Seeds.Count == 0) throw new ArgumentException("A sweep needs at least one seed.");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException("The sweep's seeds repeat: each seed trains every cell once.");
        if (Truncations.Count == 0) throw new ArgumentException("A sweep needs at least one truncation (none for untruncated latents).");
        _ = Thresholds();
        if (EvalSamples < InceptionScore.DefaultSplits)
            throw new ArgumentException($"The sweep's eval_samples must be at least {InceptionScore.DefaultSplits} (the Inception Score's splits).");
        int cells = Cells().Count;
        if (Baseline < 0 || Baseline >= cells) throw new ArgumentException($"The sweep's baseline is cell {Baseline}; it has cells 0 to {cells - 1}.");
        return this;
    }

    /// <summary>The specification as indented JSON (sweep.json).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a sweep file; throws <see cref="InvalidDataException"/> naming the source when it is not one.</summary>
    public static SweepSpec FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<SweepSpec>(json, Json) ?? throw new InvalidDataException($"{source} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a valid sweep file: {e.Message}", e);
        }
    }

    /// <summary>"axis=v1,v2,..." (the command line's --axis) as axis values.</summary>
    public static SweepAxisValues ParseAxis(string text)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1) throw new ArgumentException($"--axis \"{text}\": write axis=value1,value2 (e.g. batch=32,64).");
        var values = text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var axis = SweepAxes.Get(text[..eq].Trim());
        return new SweepAxisValues(axis.Name, values);
    }
}
