using System.Globalization;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>
/// One thing a sweep varies: a name, what it sets, and how a value (as the sweep file or the command line writes
/// it) changes a run configuration.
/// </summary>
/// <param name="Name">The name in sweep files and in --axis (e.g. "batch").</param>
/// <param name="Description">What it sets, for --help and errors.</param>
/// <param name="Apply">The configuration with the value applied; throws <see cref="FormatException"/> for a bad value.</param>
public sealed record SweepAxis(string Name, string Description, Func<RunConfig, string, RunConfig> Apply);

/// <summary>
/// The axes a sweep can vary, by name. Adding one is one <see cref="Register"/> call (the precision policy, when
/// it exists, becomes an axis this way); the built-in ones cover the paper's Table 1 and the usual knobs.
/// </summary>
public static class SweepAxes
{
    private static readonly Dictionary<string, SweepAxis> Registered = new(StringComparer.OrdinalIgnoreCase);

    static SweepAxes()
    {
        Register(new("batch", "images per batch (real and fake each)", (c, v) => c with { Training = c.Training with { BatchSize = Int(v) } }));
        Register(new("ch", "base channel width of G and D", (c, v) => c with { Model = c.Model with { Ch = Int(v) } }));
        Register(new("shared", "shared class embedding in G (shared_dim: the model's, or dim_z when 0, as the reference)",
                     (c, v) => c with { Model = WithShared(c.Model, Bool(v)) }));
        Register(new("hier", "hierarchical latent (z split over G's blocks; turns on the shared embedding it needs)", (c, v) =>
        {
            bool on = Bool(v);
            var model = on ? WithShared(c.Model, true) : c.Model;
            return c with { Model = model with { Hierarchical = on } };
        }));
        Register(new("ortho", "orthogonal regularisation strength of G (0: off; the paper: 1e-4)", (c, v) => c with { Training = c.Training with { GOrtho = Double(v) } }));
        Register(new("d_steps", "discriminator steps per generator step", (c, v) => c with { Training = c.Training with { DStepsPerGStep = Int(v) } }));
        Register(new("g_lr", "generator learning rate", (c, v) => c with { Training = c.Training with { GLearningRate = Double(v) } }));
        Register(new("d_lr", "discriminator learning rate", (c, v) => c with { Training = c.Training with { DLearningRate = Double(v) } }));
        Register(new("steps", "generator steps", (c, v) => c with { Training = c.Training with { Steps = Long(v) } }));
        Register(new("dim_z", "latent size", (c, v) => c with { Model = c.Model with { DimZ = Int(v) } }));
        Register(new("ema_decay", "decay of G's moving average", (c, v) => c with { Training = c.Training with { EmaDecay = Double(v) } }));
    }

    /// <summary>Every registered axis, by name.</summary>
    public static IReadOnlyCollection<SweepAxis> All => Registered.Values;

    /// <summary>Adds (or replaces) an axis.</summary>
    public static void Register(SweepAxis axis)
    {
        ArgumentNullException.ThrowIfNull(axis);
        Registered[axis.Name] = axis;
    }

    /// <summary>The axis of a name; an error listing the known names otherwise.</summary>
    public static SweepAxis Get(string name) => Registered.TryGetValue(name, out var axis)
        ? axis
        : throw new ArgumentException($"Unknown sweep axis \"{name}\"; the axes are {string.Join(", ", Registered.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary><paramref name="config"/> with <paramref name="value"/> of axis <paramref name="name"/> applied; errors name the axis and the value.</summary>
    public static RunConfig Apply(RunConfig config, string name, string value)
    {
        var axis = Get(name);
        try
        {
            return axis.Apply(config, value);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"Sweep axis {axis.Name} ({axis.Description}): \"{value}\" is not a valid value ({e.Message}).", e);
        }
    }

    private static BigGanConfig WithShared(BigGanConfig model, bool on) => on
        ? model with { SharedEmbedding = true, SharedDim = model.SharedDim > 0 ? model.SharedDim : model.DimZ }
        : model with { SharedEmbedding = false, Hierarchical = false };

    private static int Int(string v) => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static long Long(string v) => long.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string v) => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool Bool(string v) => v.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "yes" or "1" => true,
        "false" or "off" or "no" or "0" => false,
        _ => throw new FormatException("expected true or false"),
    };
}
