namespace RawGan.Model;

/// <summary>BigGAN's generator, discriminator and trainer arrive with the BigGAN issue.</summary>
public static class ModelInfo
{
    /// <summary>The paper this model implements.</summary>
    public const string Paper = "Large Scale GAN Training for High Fidelity Natural Image Synthesis (Brock, Donahue, Simonyan)";
}
