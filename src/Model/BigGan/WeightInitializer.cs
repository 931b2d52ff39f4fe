using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// The reference's init_weights: every conv, linear and embedding weight orthogonal or N(0, 0.02²); biases keep
/// PyTorch's default U(−1/√fan_in, 1/√fan_in) (the reference never touches them); batch-norm gains 1, biases 0,
/// attention gamma 0 (set by their modules). Seeds come from the model's sequence in registration order.
/// </summary>
public static class WeightInitializer
{
    /// <summary>Initialises every conv, linear and embedding layer under <paramref name="root"/>, children first, in registration order.</summary>
    public static void Apply(Module root, WeightInit style, SeedSequence seeds)
    {
        foreach (var (_, child) in root.NamedChildren()) Apply(child, style, seeds);
        switch (root)
        {
            case Conv2d conv:
                Weight(conv.Weight, style, seeds);
                Bias(conv.Bias, conv.Weight, seeds);
                break;
            case Linear linear:
                Weight(linear.Weight, style, seeds);
                Bias(linear.Bias, linear.Weight, seeds);
                break;
            case Embedding embedding:
                Weight(embedding.Weight, style, seeds);
                break;
        }
    }

    private static void Weight(Tensor w, WeightInit style, SeedSequence seeds)
    {
        switch (style)
        {
            case WeightInit.Orthogonal: Init.Orthogonal(w, seeds.Next()); break;
            case WeightInit.Normal002: Init.Normal(w, 0.02, seeds.Next()); break;
            default: throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown initialisation.");
        }
    }

    private static void Bias(Tensor? bias, Tensor weight, SeedSequence seeds)
    {
        if (bias is null) return;
        double bound = 1.0 / Math.Sqrt(weight.Numel / weight.Shape[0]);
        var u = Tensor.RandomUniform(bias.Shape, seeds.Next(), 0, bias.DType, bias.Device);
        var value = Ops.Affine(u, 2 * bound, -bound);
        var strides = bias.Shape.ContiguousStrides();
        bias.Backend.StridedCopy(value.Storage, 0, strides, bias.Storage, 0, strides, bias.Shape.AsSpan());
    }
}
