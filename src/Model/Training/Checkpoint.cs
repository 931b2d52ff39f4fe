using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Engine.Nn;

namespace RawGan.Model.Training;

/// <summary>
/// A training checkpoint in safetensors: G, D and G_ema state dicts ("G.blocks.0.conv1.weight", ...), both
/// optimisers' moments ("G_opt.blocks.0.conv1.weight.exp_avg"), and in the metadata the step, the latent stream's
/// Philox offset, the optimisers' step counts and whatever the caller adds (the loader's position, the config).
/// Written atomically (temporary file, flush, rename), so a kill at any moment leaves the previous file usable.
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

    /// <summary>Restores the trainer's state from a checkpoint; returns the metadata (for the loader and config).</summary>
    public static IReadOnlyDictionary<string, string> Load<TG, TD>(string path, GanTrainer<TG, TD> trainer)
        where TG : Module, IConditionalGenerator
        where TD : Module, IConditionalDiscriminator
    {
        using var file = SafeTensors.Load(path);
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path} is not a RawGan training checkpoint (format \"{format ?? "missing"}\", expected \"{Format}\").");
        trainer.G.LoadStateDict(Section(file, "G."), "");
        trainer.D.LoadStateDict(Section(file, "D."), "");
        trainer.GEma?.LoadStateDict(Section(file, "G_ema."), "");
        LoadInto(trainer.GOptimizer.StateTensors(), Section(file, "G_opt."), path);
        LoadInto(trainer.DOptimizer.StateTensors(), Section(file, "D_opt."), path);
        if (ulong.Parse(meta["rng_seed"], CultureInfo.InvariantCulture) != trainer.Random.Seed)
            throw new InvalidDataException($"{path} was written with seed {meta["rng_seed"]}; this run uses {trainer.Random.Seed}. Resume with the same seed.");
        trainer.Random.Offset = ulong.Parse(meta["rng_offset"], CultureInfo.InvariantCulture);
        trainer.Step = long.Parse(meta["step"], CultureInfo.InvariantCulture);
        trainer.GOptimizer.Steps = long.Parse(meta["g_opt_steps"], CultureInfo.InvariantCulture);
        trainer.DOptimizer.Steps = long.Parse(meta["d_opt_steps"], CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(meta);
    }

    /// <summary>The generator state (G_ema when present, else G) of a checkpoint, for sampling.</summary>
    public static Dictionary<string, Tensor> GeneratorState(SafeTensorsFile file, bool preferEma = true)
    {
        var ema = Section(file, "G_ema.");
        return preferEma && ema.Count > 0 ? ema : Section(file, "G.");
    }

    private static Dictionary<string, Tensor> Section(SafeTensorsFile file, string prefix) =>
        file.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static void LoadInto(IEnumerable<KeyValuePair<string, Tensor>> targets, Dictionary<string, Tensor> source, string path)
    {
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var value))
                throw new InvalidDataException($"{path} lacks optimiser state {name}; was it written by another model configuration?");
            if (value.Shape != target.Shape)
                throw new InvalidDataException($"{path}: optimiser state {name} has shape {value.Shape}, expected {target.Shape}.");
            var v = value.ToDType(target.DType).To(target.Device);
            var strides = target.Shape.ContiguousStrides();
            target.Backend.StridedCopy(v.Storage, 0, strides, target.Storage, 0, strides, target.Shape.AsSpan());
        }
    }
}
