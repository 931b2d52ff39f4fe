using System.Text;
using RawGan.Engine;
using RawGan.Model.Metrics.Inception;

namespace RawGan.Tests.Metrics.Inception;

/// <summary>
/// The deterministic "random" weights and images of tests/reference/inception_reference.py, reproduced bit for bit:
/// element i of a tensor named n is murmur3's finaliser of FNV-1a(n) ^ (i · 0x9E3779B9), its top 24 bits as a
/// fraction u in [0, 1), mapped in float64 by the tensor's role and rounded once to float32. Inception-v3 has 24M
/// parameters (95 MB), so the fixture stores this recipe's outputs, never the weights.
/// </summary>
internal static class HashedWeights
{
    private static readonly Lazy<Dictionary<string, Tensor>> State = new(() =>
    {
        var template = new InceptionV3();
        var state = template.StateDict().ToDictionary(kv => kv.Key, kv => Tensor(kv.Key, kv.Value.Shape));
        template.Dispose();
        return state;
    });

    /// <summary>The whole state dict with hashed values (shared: callers copy, never modify, its tensors).</summary>
    public static IReadOnlyDictionary<string, Tensor> InceptionState => State.Value;

    /// <summary>A named parameter or buffer: He-uniform weights, BN statistics and affines near identity.</summary>
    public static Tensor Tensor(string name, Shape shape)
    {
        var u = Units(name, shape.Numel);
        int fanIn = (int)(shape.Numel / shape[0]);
        double bound = Math.Sqrt(6.0 / fanIn);
        var values = new float[u.Length];
        for (int i = 0; i < u.Length; i++)
        {
            values[i] = (float)(name.EndsWith("running_var", StringComparison.Ordinal) ? 0.5 + u[i]
                : name.EndsWith("bn.weight", StringComparison.Ordinal) ? 0.8 + 0.4 * u[i]
                : name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal) ? 0.2 * u[i] - 0.1
                : (2.0 * u[i] - 1.0) * bound);
        }
        return RawGan.Engine.Tensor.FromArray(values, shape);
    }

    /// <summary>Images in [−1, 1).</summary>
    public static Tensor Image(string name, Shape shape) =>
        RawGan.Engine.Tensor.FromArray(Array.ConvertAll(Units(name, shape.Numel), u => (float)(2.0 * u - 1.0)), shape);

    private static double[] Units(string name, long count)
    {
        uint seed = 0x811C9DC5;
        foreach (byte b in Encoding.UTF8.GetBytes(name)) seed = (seed ^ b) * 0x01000193;
        var u = new double[count];
        for (long i = 0; i < count; i++)
        {
            uint h = seed ^ unchecked((uint)i * 0x9E3779B9u);
            h ^= h >> 16;
            h *= 0x85EBCA6B;
            h ^= h >> 13;
            h *= 0xC2B2AE35;
            h ^= h >> 16;
            u[i] = (h >> 8) / (double)(1 << 24);
        }
        return u;
    }
}
