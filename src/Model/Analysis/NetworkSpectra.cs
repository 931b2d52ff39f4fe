using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Nn;

namespace RawGan.Model.Analysis;

/// <summary>
/// The singular values of every weight (every parameter of rank ≥ 2) of one or more networks, with each spectrally
/// normalised layer's sv0 buffer alongside. All the weights go through one batched <see cref="SubspaceSvd"/> call
/// and all the sv0 values come back in one read, so a trace of G and D synchronises with the device a few times,
/// not per layer. Keeps the tracer, so that repeated calls during training start from the previous call's vectors
/// and need only a few iterations.
/// </summary>
public sealed class NetworkSpectra(SubspaceSvdOptions? options = null) : IDisposable
{
    private readonly SubspaceSvd _svd = new(options);

    /// <summary>Device synchronisations of the last call (the tracer's reads of its state, and the sv0 read).</summary>
    public int LastReads { get; private set; }

    /// <summary>The rows of every weight of <paramref name="module"/> (live training).</summary>
    public List<WeightSpectrum> Compute(long step, string network, Module module) => Compute(step, [(network, module)]);

    /// <summary>The rows of every weight of several networks (live training: G and D), traced as one batch.</summary>
    public List<WeightSpectrum> Compute(long step, IReadOnlyList<(string Network, Module Module)> networks) =>
        Compute(step, networks.Select(n => (n.Network, n.Module.NamedParameters().ToList(),
            (IReadOnlyDictionary<string, Tensor>)n.Module.NamedBuffers().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal))).ToList());

    /// <summary>
    /// The rows of every weight in a state dict (a checkpoint section): the tensors of rank ≥ 2 are the weights
    /// (biases, BN statistics and u0 are vectors, sv0 a scalar).
    /// </summary>
    public List<WeightSpectrum> Compute(long step, string network, IReadOnlyDictionary<string, Tensor> state) => Compute(step, [(network, state)]);

    /// <summary>The rows of every weight in several state dicts (a checkpoint's G and D sections), traced as one batch.</summary>
    public List<WeightSpectrum> Compute(long step, IReadOnlyList<(string Network, IReadOnlyDictionary<string, Tensor> State)> sections) =>
        Compute(step, sections.Select(s => (s.Network, s.State.ToList(), s.State)).ToList());

    private List<WeightSpectrum> Compute(long step, List<(string Network, List<KeyValuePair<string, Tensor>> Tensors, IReadOnlyDictionary<string, Tensor> Buffers)> sections)
    {
        var weights = (from s in sections
                       from kv in s.Tensors
                       where kv.Value.Rank >= 2
                       select (s.Network, Layer: kv.Key, Weight: kv.Value,
                               Sv0: s.Buffers.TryGetValue(SnBufferName(kv.Key), out var sv0) ? sv0 : null)).ToList();
        var estimates = new SingularValueEstimate[weights.Count];
        LastReads = 0;
        // One batch per dtype and device (a checkpoint could mix them); one in practice.
        foreach (var group in Enumerable.Range(0, weights.Count).GroupBy(i => (weights[i].Weight.DType, weights[i].Weight.Backend)))
        {
            var indices = group.ToArray();
            var results = _svd.Compute(indices.Select(i => ((string?)(weights[i].Network + "." + weights[i].Layer), weights[i].Weight)).ToList());
            LastReads += _svd.LastReads;
            for (int j = 0; j < indices.Length; j++) estimates[indices[j]] = results[j];
        }
        var sn = ReadScalars(weights.Select(w => w.Sv0).ToList());
        var rows = new List<WeightSpectrum>(weights.Count);
        for (int i = 0; i < weights.Count; i++)
        {
            var s = estimates[i].Values;
            double estimate = sn[i] == 0 ? double.NaN : sn[i]; // sv0 is set by the first training forward; before it there is no estimate
            rows.Add(new WeightSpectrum(step, weights[i].Network, weights[i].Layer, s[0], At(s, 1), At(s, 2), estimate, estimates[i].Residual));
        }
        return rows;
    }

    // The scalars' values (NaN where null), gathered on their device and read in one copy.
    private double[] ReadScalars(IReadOnlyList<Tensor?> scalars)
    {
        var values = Enumerable.Repeat(double.NaN, scalars.Count).ToArray();
        var present = Enumerable.Range(0, scalars.Count).Where(i => scalars[i] is not null).ToArray();
        foreach (var group in present.GroupBy(i => (scalars[i]!.DType, scalars[i]!.Backend)))
        {
            var indices = group.ToArray();
            using var scope = new TensorScope();
            using var noGrad = GradMode.Disable();
            var all = Ops.Cat(indices.Select(i => Ops.Reshape(scalars[i]!, 1)).ToArray(), 0).ToDoubleArray();
            LastReads++;
            for (int j = 0; j < indices.Length; j++) values[indices[j]] = all[j];
        }
        return values;
    }

    /// <summary>The sv0 buffer beside a weight: "blocks.0.conv1.weight" → "blocks.0.conv1.sv0".</summary>
    public static string SnBufferName(string weightName)
    {
        int dot = weightName.LastIndexOf('.');
        return dot < 0 ? "sv0" : weightName[..(dot + 1)] + "sv0";
    }

    private static double At(double[] s, int i) => i < s.Length ? s[i] : double.NaN;

    /// <summary>Frees the tracer's device memory (its warm-start vectors).</summary>
    public void Dispose() => _svd.Dispose();
}
