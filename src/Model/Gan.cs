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
}

/// <summary>A class-conditional discriminator: one real-valued score per image. Implemented by BigGAN's discriminator.</summary>
public interface IConditionalDiscriminator
{
    /// <summary>Scores (N) for images (N, C, H, W) and Int32 labels (N).</summary>
    Tensor Score(Tensor images, Tensor labels);
}
