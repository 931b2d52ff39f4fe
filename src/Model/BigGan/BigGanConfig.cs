using System.Globalization;
using RawGan.Engine;

namespace RawGan.Model.BigGan;

/// <summary>How conv, linear and embedding weights start (BIGGAN.md "Training": initialisation).</summary>
public enum WeightInit
{
    /// <summary>Orthogonal (torch.nn.init.orthogonal_), the reference ImageNet setting ("ortho").</summary>
    Orthogonal,

    /// <summary>N(0, 0.02²), the reference CIFAR setting ("N02").</summary>
    Normal002,
}

/// <summary>
/// The architecture of a BigGAN generator and discriminator pair (BIGGAN.md; BigGAN-PyTorch's G_arch/D_arch and
/// its command-line flags where the spec is silent). Widths follow the per-resolution tables in
/// <see cref="BigGanArchitecture"/>, in multiples of <see cref="Ch"/>. Call <see cref="Validate"/> (the models do)
/// to get a clear error for an unsupported combination.
/// </summary>
public sealed record BigGanConfig
{
    /// <summary>Output (G) and input (D) image size: 32, 64, 128 or 256.</summary>
    public int Resolution { get; init; } = 128;

    /// <summary>Base channel width of G and D (the reference's G_ch = D_ch).</summary>
    public int Ch { get; init; } = 64;

    /// <summary>Requested latent size; with a hierarchical latent it is rounded down to a multiple of the number of chunks (see <see cref="EffectiveDimZ"/>).</summary>
    public int DimZ { get; init; } = 128;

    /// <summary>Size of G's shared class embedding (used when <see cref="SharedEmbedding"/> is on).</summary>
    public int SharedDim { get; init; } = 128;

    /// <summary>Hierarchical latent: z split into one chunk per G block plus one for the first linear layer. Needs the shared embedding.</summary>
    public bool Hierarchical { get; init; }

    /// <summary>Shared class embedding in G feeding every conditional BN through linear maps; without it each conditional BN has its own per-class gain and bias tables.</summary>
    public bool SharedEmbedding { get; init; }

    /// <summary>Resolutions after whose G block a self-attention block follows (the output size of that block).</summary>
    public IReadOnlyList<int> GAttention { get; init; } = [];

    /// <summary>Resolutions after whose D block a self-attention block follows (the output size of that block).</summary>
    public IReadOnlyList<int> DAttention { get; init; } = [];

    /// <summary>Number of classes the labels index.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Image channels: 3 for RGB, 1 for MNIST.</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>
    /// Spectral normalisation of every conv, linear and (in D) embedding layer, as BIGGAN.md specifies. Off is the
    /// reference's G_param/D_param other than "SN" (plain layers); RawGan uses it to gradient-check the blocks' own
    /// algebra exactly, since σ's gradient holds the power iteration's vectors constant.
    /// </summary>
    public bool SpectralNorm { get; init; } = true;

    /// <summary>Spectral-norm normalize() epsilon (reference: 1e-6 in the ImageNet scripts, 1e-8 by default).</summary>
    public double SnEps { get; init; } = 1e-6;

    /// <summary>Power iterations per training forward.</summary>
    public int SnIterations { get; init; } = 1;

    /// <summary>
    /// Batch-norm epsilon of G's conditional batch norms (reference 1e-5; TF-Hub and StudioGAN 1e-4). The output
    /// layer's plain batch norm keeps 1e-5 whatever this says, as the reference's does (it never passes BN_eps on).
    /// </summary>
    public double BnEps { get; init; } = 1e-5;

    /// <summary>Initialisation of conv, linear and embedding weights.</summary>
    public WeightInit Init { get; init; } = WeightInit.Orthogonal;

    /// <summary>Parameter dtype: Float32 for training, Float64 for gradient checks.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>
    /// The reference ImageNet 128x128 setup (scripts/launch_BigGAN_bs256x8.sh): ch 96, dim_z 120 in 6 chunks of 20,
    /// shared embedding 128, attention at 64 in G and D, orthogonal init, SN eps 1e-6. G has 70,433,988 parameters
    /// and D 87,982,370.
    /// </summary>
    public static BigGanConfig ImageNet128 { get; } = new()
    {
        Resolution = 128, Ch = 96, DimZ = 120, SharedDim = 128, Hierarchical = true, SharedEmbedding = true,
        GAttention = [64], DAttention = [64], NumClasses = 1000, ImageChannels = 3,
        SnEps = 1e-6, BnEps = 1e-5, Init = WeightInit.Orthogonal,
    };

    /// <summary>
    /// The reference CIFAR-10 setup (scripts/launch_cifar_ema.sh with utils.py's defaults): ch 64, dim_z 128, no shared
    /// embedding (per-class BN gains and biases), no hierarchy, no attention, N(0, 0.02) init, SN eps 1e-8.
    /// </summary>
    public static BigGanConfig Cifar32 { get; } = new()
    {
        Resolution = 32, Ch = 64, DimZ = 128, SharedDim = 0, Hierarchical = false, SharedEmbedding = false,
        GAttention = [], DAttention = [], NumClasses = 10, ImageChannels = 3,
        SnEps = 1e-8, BnEps = 1e-5, Init = WeightInit.Normal002,
    };

    /// <summary>
    /// The default of `rawgan train`: the reference CIFAR-10 architecture (per-class BN gains and biases, no
    /// hierarchy, no attention, N(0, 0.02) init) at 32x32 with one channel, ch 16 and dim_z 64, sized for a
    /// 2-core CPU. It stays diverse from the first steps on MNIST, where the hierarchical, attention-carrying
    /// <see cref="Mnist32Small"/> collapsed to one stroke in our short runs (see the README).
    /// </summary>
    public static BigGanConfig Mnist32 { get; } = Cifar32 with { Ch = 16, DimZ = 64, ImageChannels = 1 };

    /// <summary>
    /// A small 32x32 MNIST setup meant to draw recognisable digits after minutes of CPU training, with the whole
    /// architecture exercised: hierarchical latent (64 = 4 chunks of 16) with a shared embedding (32), attention
    /// at 16x16 in G and D, orthogonal init. Width ch 8: G and D blocks have 32 channels.
    /// </summary>
    public static BigGanConfig Mnist32Small { get; } = new()
    {
        Resolution = 32, Ch = 8, DimZ = 64, SharedDim = 32, Hierarchical = true, SharedEmbedding = true,
        GAttention = [16], DAttention = [16], NumClasses = 10, ImageChannels = 1,
        SnEps = 1e-6, BnEps = 1e-5, Init = WeightInit.Orthogonal,
    };

    /// <summary>Number of G blocks (each doubles the size from 4x4).</summary>
    public int GBlockCount => BigGanArchitecture.Generator(this).Count;

    /// <summary>Number of latent chunks: G blocks + 1 with a hierarchical latent, else 1.</summary>
    public int LatentChunks => Hierarchical ? GBlockCount + 1 : 1;

    /// <summary>The latent size G takes: <see cref="DimZ"/> rounded down to a multiple of <see cref="LatentChunks"/>, as the reference does.</summary>
    public int EffectiveDimZ => DimZ / LatentChunks * LatentChunks;

    /// <summary>Size of each latent chunk (the whole latent without hierarchy).</summary>
    public int ZChunk => DimZ / LatentChunks;

    /// <summary>Size of the conditioning vector of every conditional BN with a shared embedding: shared_dim (+ one z chunk when hierarchical).</summary>
    public int ConditioningDim => SharedDim + (Hierarchical ? ZChunk : 0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first problem with this configuration.</summary>
    public BigGanConfig Validate()
    {
        static string S(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
        if (!BigGanArchitecture.Resolutions.Contains(Resolution))
            throw new ArgumentException(S($"BigGAN resolution {Resolution} is not supported; use one of {string.Join(", ", BigGanArchitecture.Resolutions)}."));
        if (Ch < 1) throw new ArgumentException(S($"The channel width ch must be positive, got {Ch}."));
        if (NumClasses < 1) throw new ArgumentException(S($"The number of classes must be positive, got {NumClasses}."));
        if (ImageChannels < 1) throw new ArgumentException(S($"The number of image channels must be positive, got {ImageChannels}."));
        if (DimZ < 1) throw new ArgumentException(S($"dim_z must be positive, got {DimZ}."));
        if (Hierarchical && !SharedEmbedding)
            throw new ArgumentException("A hierarchical latent needs the shared embedding: its z chunks are concatenated to the shared class embedding.");
        if (SharedEmbedding && SharedDim < 1) throw new ArgumentException(S($"The shared embedding needs shared_dim ≥ 1, got {SharedDim}."));
        if (Hierarchical && DimZ < LatentChunks)
            throw new ArgumentException(S($"dim_z {DimZ} is too small to split into {LatentChunks} chunks (one per G block plus one); use at least {LatentChunks}."));
        if (!(SnEps > 0)) throw new ArgumentException(S($"The spectral-norm epsilon must be positive, got {SnEps}."));
        if (SnIterations < 1) throw new ArgumentException(S($"At least one power iteration is needed, got {SnIterations}."));
        if (!(BnEps > 0)) throw new ArgumentException(S($"The batch-norm epsilon must be positive, got {BnEps}."));
        if (DType is not (DType.Float32 or DType.Float64)) throw new ArgumentException($"BigGAN parameters are Float32 or Float64, got {DType}.");
        CheckAttention("G", GAttention, BigGanArchitecture.Generator(this).Select(b => (b.Resolution, b.Out)));
        CheckAttention("D", DAttention, BigGanArchitecture.Discriminator(this).Select(b => (b.Resolution, b.Out)));
        return this;
    }

    private static void CheckAttention(string net, IReadOnlyList<int> requested, IEnumerable<(int Resolution, int Channels)> blocks)
    {
        var list = blocks.ToList();
        foreach (int r in requested)
        {
            var at = list.Where(b => b.Resolution == r).ToList();
            if (at.Count == 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{net} has no block with output resolution {r} to attach attention to; its blocks output {string.Join(", ", list.Select(b => b.Resolution).Distinct())}."));
            foreach (var b in at)
            {
                if (b.Channels < 8)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"{net} attention at {r} needs at least 8 channels (theta/phi have C/8), the block has {b.Channels}; raise ch."));
                if (r < 2) throw new ArgumentException($"{net} attention needs at least 2x2 maps for its 2x2 max-pool.");
            }
        }
    }

    /// <summary>A preset by name (ImageNet128, Cifar32, Mnist32, Mnist32Small), case-insensitive.</summary>
    public static BigGanConfig Preset(string name) => name.ToUpperInvariant() switch
    {
        "IMAGENET128" => ImageNet128,
        "CIFAR32" => Cifar32,
        "MNIST32" => Mnist32,
        "MNIST32SMALL" => Mnist32Small,
        _ => throw new ArgumentException($"Unknown BigGAN preset \"{name}\"; use ImageNet128, Cifar32, Mnist32 or Mnist32Small.", nameof(name)),
    };
}
