using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.IO;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan train` command lines for runs small enough for tests (a 4-channel MNIST-shaped BigGAN on synthetic data).</summary>
internal static class TinyRun
{
    /// <summary>The model and batch flags: fixed by a run, so a resume must not repeat them with other values.</summary>
    public static readonly string[] Model = ["--preset", "Mnist32", "--ch", "4", "--dim-z", "8", "--batch-size", "4", "--d-steps", "1"];

    /// <summary>A new run on synthetic data: logs every step, a checkpoint every 2 steps, no σ trace, on the CPU.</summary>
    public static string[] Train(string runs, string name, long steps, params string[] more) =>
        TrainOn(["--data", "synthetic"], runs, name, steps, more);

    /// <summary>As <see cref="Train"/> on the given data flags; an option in <paramref name="more"/> replaces the default one.</summary>
    public static string[] TrainOn(string[] data, string runs, string name, long steps, params string[] more)
    {
        string[] defaults =
        [
            .. Model, .. data, "--sv-every", "0", "--device", "cpu", "--runs", runs, "--name", name,
            "--steps", steps.ToString(CultureInfo.InvariantCulture), "--log-every", "1", "--checkpoint-every", "2", "--sample-every", "0",
        ];
        var kept = new List<string> { "train" };
        for (int i = 0; i < defaults.Length; i += 2) // every default is an option and its value
        {
            if (!more.Contains(defaults[i])) kept.AddRange([defaults[i], defaults[i + 1]]);
        }
        return [.. kept, .. more];
    }

    /// <summary>Runs <see cref="Train"/> and asserts that it completed; returns the run folder.</summary>
    public static string Completed(string runs, string name, long steps, params string[] more)
    {
        var result = RawGanCli.Run(Train(runs, name, steps, more));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        return Path.Combine(runs, name);
    }

    /// <summary>The checkpoint file of a step in a run folder.</summary>
    public static string Checkpoint(string run, long step) => Path.Combine(run, "checkpoints", $"step_{step:D8}.safetensors");

    /// <summary>The names of the checkpoints directly in a run's checkpoints folder.</summary>
    public static string[] Checkpoints(string run) =>
        Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>
    /// Rewrites a checkpoint at <paramref name="target"/> with its tensors and metadata changed by the callbacks
    /// (a test's way to make damaged files).
    /// </summary>
    public static void Rewrite(string source, string target, Action<Dictionary<string, Tensor>>? tensors = null, Action<Dictionary<string, string>>? metadata = null)
    {
        Dictionary<string, Tensor> t;
        Dictionary<string, string> m;
        using (var file = SafeTensors.Load(source))
        {
            t = file.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);
            m = new Dictionary<string, string>(file.Metadata);
        }
        tensors?.Invoke(t);
        metadata?.Invoke(m);
        SafeTensors.Save(target, t, m);
    }

    /// <summary>The first tensor of rank ≥ 2 whose name starts with <paramref name="prefix"/>.</summary>
    public static string FirstWeight(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value.Rank >= 2).Select(kv => kv.Key).Order(StringComparer.Ordinal).First();

    /// <summary>A copy of <paramref name="t"/> (float32) with element 0 set to <paramref name="value"/>.</summary>
    public static Tensor WithFirst(Tensor t, float value)
    {
        var data = t.ToDType(DType.Float32).ToArray<float>();
        data[0] = value;
        return Tensor.FromArray(data, t.Shape);
    }
}
