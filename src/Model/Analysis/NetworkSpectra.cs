using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Analysis;

/// <summary>
/// The singular values of every weight (every parameter of rank ≥ 2) of a network, with each spectrally
/// normalised layer's sv0 buffer alongside. Keeps one <see cref="SubspaceSvd"/> so that repeated calls during
/// training start from the previous call's vectors and need only a few iterations.
/// </summary>
public sealed class NetworkSpectra(SubspaceSvdOptions? options = null)
{
    private readonly SubspaceSvd _svd = new(options);

    /// <summary>The rows of every weight of <paramref name="module"/> (live training).</summary>
    public List<WeightSpectrum> Compute(long step, string network, Module module) =>
        Compute(step, network, module.NamedParameters().ToList(), module.NamedBuffers().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    /// <summary>
    /// The rows of every weight in a state dict (a checkpoint section): the tensors of rank ≥ 2 are the weights
    /// (biases, BN statistics and u0 are vectors, sv0 a scalar).
    /// </summary>
    public List<WeightSpectrum> Compute(long step, string network, IReadOnlyDictionary<string, Tensor> state) =>
        Compute(step, network, state.ToList(), state);

    private List<WeightSpectrum> Compute(long step, string network, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, Tensor> buffers)
    {
        var rows = new List<WeightSpectrum>();
        foreach (var (name, w) in tensors)
        {
            if (w.Rank < 2) continue;
            var estimate = _svd.Compute(w, network + "." + name);
            double sn = buffers.TryGetValue(SnBufferName(name), out var sv0) ? sv0.ToDType(DType.Float64).Item() : double.NaN;
            if (sn == 0) sn = double.NaN; // sv0 is set by the first training forward; before it there is no estimate
            var s = estimate.Values;
            rows.Add(new WeightSpectrum(step, network, name, s[0], At(s, 1), At(s, 2), sn, estimate.Residual));
        }
        return rows;
    }

    /// <summary>The sv0 buffer beside a weight: "blocks.0.conv1.weight" → "blocks.0.conv1.sv0".</summary>
    public static string SnBufferName(string weightName)
    {
        int dot = weightName.LastIndexOf('.');
        return dot < 0 ? "sv0" : weightName[..(dot + 1)] + "sv0";
    }

    private static double At(double[] s, int i) => i < s.Length ? s[i] : double.NaN;
}
