using RawGan.Engine;

namespace RawGan.Model;

/// <summary>A class-conditional generator: images from latents and labels. Implemented by BigGAN's generator.</summary>
public interface IConditionalGenerator
{
    /// <summary>Latent size.</summary>
    int DimZ { get; }

    /// <summary>Number of classes the labels index.</summary>
    int NumClasses { get; }

    /// <summary>Images (N, C, H, W) in [−1, 1] from z (N, DimZ) and Int32 labels (N).</summary>
    Tensor Generate(Tensor z, Tensor labels);
}

/// <summary>Generation under a precision policy, for everything that reads or scores the images.</summary>
public static class ConditionalGeneratorExtensions
{
    /// <summary>
    /// <see cref="IConditionalGenerator.Generate"/> computed under <paramref name="precision"/> (an
    /// <see cref="Autocast"/> scope), the images returned in Float32 whatever the policy computed them in.
    /// </summary>
    public static Tensor Generate(this IConditionalGenerator g, Precision precision, Tensor z, Tensor labels)
    {
        using var policy = Autocast.Enable(precision);
        return Ops.ToDType(g.Generate(z, labels), DType.Float32);
    }

    /// <summary>
    /// <paramref name="forward"/>(z, condition) over the rows of both, <paramref name="chunk"/> rows at a time, the outputs
    /// concatenated: only one chunk's activations are held. Equal to one call where the rows are independent (G in eval
    /// mode), which is the caller's to ensure.
    /// </summary>
    public static Tensor InChunks(Func<Tensor, Tensor, Tensor> forward, Tensor z, Tensor condition, int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        int n = z.Shape[0];
        if (n <= chunk) return forward(z, condition);
        var parts = new List<Tensor>();
        for (int start = 0; start < n; start += chunk)
        {
            int length = Math.Min(chunk, n - start);
            using var scope = new TensorScope();
            parts.Add(TensorScope.Keep(forward(Ops.Narrow(z, 0, start, length), Ops.Narrow(condition, 0, start, length))));
        }
        return Ops.Cat([.. parts], 0);
    }
}

/// <summary>A class-conditional discriminator: one real-valued score per image. Implemented by BigGAN's discriminator.</summary>
public interface IConditionalDiscriminator
{
    /// <summary>Scores (N) for images (N, C, H, W) and Int32 labels (N).</summary>
    Tensor Score(Tensor images, Tensor labels);
}
