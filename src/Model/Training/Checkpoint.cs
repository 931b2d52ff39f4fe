using System.Globalization;
using System.Numerics;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Engine.Nn;

namespace RawGan.Model.Training;

/// <summary>
/// A training checkpoint in safetensors: G, D and G_ema state dicts ("G.blocks.0.conv1.weight", ...), both
/// optimisers' moments ("G_opt.blocks.0.conv1.weight.exp_avg"), and in the metadata the step, the latent stream's
/// Philox offset, the optimisers' step counts and whatever the caller adds (the loader's position, the config).
/// Written atomically (temporary file, flush, rename), so a kill at any moment leaves the previous file usable.
/// Every way of reading one checks what it reads: a missing, mis-shaped or non-finite tensor and a missing or
/// malformed metadata entry are errors that name the file, the network and the entry.
/// </summary>
public static class Checkpoint
{
    /// <summary>The format tag stored in the metadata.</summary>
    public const string Format = "rawgan-checkpoint-v1";

    /// <summary>Saves the trainer's complete state plus <paramref name="extra"/> metadata.</summary>
    public static void Save<TG, TD>(string path, GanTrainer<TG, TD> trainer, IReadOnlyDictionary<string, string>? extra = null)
        where TG : Module, IConditionalGenerator
        where TD : Module, IConditionalDiscriminator
    {
        var tensors = new Dictionary<string, Tensor>();
        void Add(string prefix, IEnumerable<KeyValuePair<string, Tensor>> items)
        {
            foreach (var (name, t) in items) tensors[prefix + name] = t;
        }
        Add("G.", trainer.G.StateDict());
        Add("D.", trainer.D.StateDict());
        if (trainer.GEma is not null) Add("G_ema.", trainer.GEma.StateDict());
        Add("G_opt.", trainer.GOptimizer.StateTensors());
        Add("D_opt.", trainer.DOptimizer.StateTensors());
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["step"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
            ["rng_seed"] = trainer.Random.Seed.ToString(CultureInfo.InvariantCulture),
            ["rng_offset"] = trainer.Random.Offset.ToString(CultureInfo.InvariantCulture),
            ["g_opt_steps"] = trainer.GOptimizer.Steps.ToString(CultureInfo.InvariantCulture),
            ["d_opt_steps"] = trainer.DOptimizer.Steps.ToString(CultureInfo.InvariantCulture),
        };
        if (extra is not null)
            foreach (var (k, v) in extra) metadata[k] = v;
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>
    /// Restores the trainer's state from a checkpoint; returns the metadata (for the loader and config). The file is
    /// checked (<see cref="CheckResumable"/>) before anything is loaded.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Load<TG, TD>(string path, GanTrainer<TG, TD> trainer)
        where TG : Module, IConditionalGenerator
        where TD : Module, IConditionalDiscriminator
    {
        using var file = SafeTensors.Load(path);
        CheckResumable(file);
        ulong seed = Number<ulong>(file, "rng_seed");
        if (seed != trainer.Random.Seed)
            throw new InvalidDataException($"{path} was written with seed {seed}; this run uses {trainer.Random.Seed}. Resume with the same seed.");
        LoadNetwork(trainer.G, file, "G");
        LoadNetwork(trainer.D, file, "D");
        if (trainer.GEma is not null) LoadNetwork(trainer.GEma, file, "G_ema");
        LoadInto(trainer.GOptimizer.StateTensors(), file, "G_opt");
        LoadInto(trainer.DOptimizer.StateTensors(), file, "D_opt");
        trainer.Random.Offset = Number<ulong>(file, "rng_offset");
        trainer.Step = Number<long>(file, "step");
        trainer.GOptimizer.Steps = Number<long>(file, "g_opt_steps");
        trainer.DOptimizer.Steps = Number<long>(file, "d_opt_steps");
        return new Dictionary<string, string>(file.Metadata);
    }

    /// <summary>
    /// Checks that a file is a whole training checkpoint a trainer can continue from: the format, every number in the
    /// metadata, and finite values in every tensor. Throws <see cref="InvalidDataException"/>
    /// (or <see cref="SafeTensorsException"/> for a damaged file) saying what is wrong.
    /// </summary>
    public static void CheckResumable(SafeTensorsFile file)
    {
        CheckFormat(file);
        Number<long>(file, "step");
        Number<ulong>(file, "rng_seed");
        Number<ulong>(file, "rng_offset");
        Number<long>(file, "g_opt_steps");
        Number<long>(file, "d_opt_steps");
        RequireFinite(file, file);
    }

    /// <summary>The step a checkpoint was written at.</summary>
    public static long StepOf(SafeTensorsFile file) => Number<long>(file, "step");

    /// <summary>The run configuration a checkpoint carries.</summary>
    public static RunConfig ConfigOf(SafeTensorsFile file) => file.Metadata.TryGetValue("run_config", out var json)
        ? RunConfig.FromJson(json, file.SourceName)
        : throw new InvalidDataException($"{file.SourceName} carries no run configuration; it was not written by rawgan train.");

    /// <summary>
    /// A metadata number (the step, an offset, the loader's position); a missing entry or one that is not a number of
    /// type <typeparamref name="T"/> is an error naming the file and the entry.
    /// </summary>
    public static T Number<T>(SafeTensorsFile file, string key) where T : INumber<T> => Number<T>(file.Metadata, file.SourceName, key);

    /// <summary>As <see cref="Number{T}(SafeTensorsFile, string)"/>, from the metadata of the file at <paramref name="source"/>.</summary>
    public static T Number<T>(IReadOnlyDictionary<string, string> metadata, string source, string key) where T : INumber<T>
    {
        if (!metadata.TryGetValue(key, out var text))
            throw new InvalidDataException($"{source} lacks the metadata entry \"{key}\": it is not a complete RawGan training checkpoint.");
        return T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{source}: the metadata entry \"{key}\" is \"{text}\", not a number; the file is damaged.");
    }

    /// <summary>
    /// Loads the generator state of a checkpoint into <paramref name="g"/> (for sampling and scoring): G_ema when
    /// present and preferred, else G. Non-finite values and missing or mis-shaped tensors are errors naming the
    /// file and the network.
    /// </summary>
    public static void LoadGenerator(SafeTensorsFile file, Module g, bool preferEma = true)
    {
        string network = preferEma && Section(file, "G_ema").Count > 0 ? "G_ema" : "G";
        RequireFinite(file, file.Where(kv => kv.Key.StartsWith(network + ".", StringComparison.Ordinal)));
        LoadNetwork(g, file, network);
    }

    private static void CheckFormat(SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{file.SourceName} is not a RawGan training checkpoint (format \"{format ?? "missing"}\", expected \"{Format}\").");
    }

    private static void LoadNetwork(Module module, SafeTensorsFile file, string network)
    {
        try
        {
            module.LoadStateDict(Section(file, network));
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{file.SourceName}: {network} does not fit this model: {e.Message} Was it written by another model configuration?", e);
        }
    }

    // Names up to five non-finite tensors with how many of their values are NaN or infinite.
    private static void RequireFinite(SafeTensorsFile file, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var bad = new List<string>();
        int count = 0;
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (t.DType is not (DType.Float32 or DType.Float64)) continue;
            long nonFinite = t.ToDoubleArray().LongCount(v => !double.IsFinite(v));
            if (nonFinite == 0) continue;
            count++;
            if (bad.Count < 5) bad.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ({nonFinite} of {t.Numel})"));
        }
        if (count > 0)
            throw new InvalidDataException($"{file.SourceName} holds non-finite values (NaN or infinite) in {count} tensor(s): {string.Join(", ", bad)}{(count > bad.Count ? ", ..." : "")}. " +
                                           "Its weights are broken: use an earlier checkpoint.");
    }

    private static Dictionary<string, Tensor> Section(SafeTensorsFile file, string network)
    {
        string prefix = network + ".";
        return file.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
    }

    private static void LoadInto(IEnumerable<KeyValuePair<string, Tensor>> targets, SafeTensorsFile file, string section)
    {
        var source = Section(file, section);
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var value))
                throw new InvalidDataException($"{file.SourceName} lacks optimiser state {section}.{name}; was it written by another model configuration?");
            if (value.Shape != target.Shape)
                throw new InvalidDataException($"{file.SourceName}: optimiser state {section}.{name} has shape {value.Shape}, expected {target.Shape}.");
            var v = value.ToDType(target.DType).To(target.Device);
            var strides = target.Shape.ContiguousStrides();
            target.Backend.StridedCopy(v.Storage, 0, strides, target.Storage, 0, strides, target.Shape.AsSpan());
        }
    }
}
