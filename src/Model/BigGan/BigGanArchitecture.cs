namespace RawGan.Model.BigGan;

/// <summary>One G block: channels in → out, output resolution, whether self-attention follows.</summary>
public sealed record GBlockSpec(int In, int Out, int Resolution, bool Attention);

/// <summary>One D block: channels in → out, whether it downsamples, output resolution, whether self-attention follows.</summary>
public sealed record DBlockSpec(int In, int Out, bool Downsample, int Resolution, bool Attention);

/// <summary>
/// The per-resolution block tables (BIGGAN.md "Generator"/"Discriminator", BigGAN-PyTorch's G_arch/D_arch), in
/// multiples of ch. G starts from 4x4 and every block upsamples by 2.
/// </summary>
public static class BigGanArchitecture
{
    /// <summary>The supported image sizes.</summary>
    public static IReadOnlyList<int> Resolutions { get; } = [32, 64, 128, 256];

    /// <summary>G's first map is 4x4 (the reference's bottom_width).</summary>
    public const int BottomWidth = 4;

    /// <summary>G's blocks for the configuration's resolution.</summary>
    public static IReadOnlyList<GBlockSpec> Generator(BigGanConfig c)
    {
        int[] ins, outs;
        switch (c.Resolution)
        {
            case 32: ins = [4, 4, 4]; outs = [4, 4, 4]; break;
            case 64: ins = [16, 16, 8, 4]; outs = [16, 8, 4, 2]; break;
            case 128: ins = [16, 16, 8, 4, 2]; outs = [16, 8, 4, 2, 1]; break;
            case 256: ins = [16, 16, 8, 8, 4, 2]; outs = [16, 8, 8, 4, 2, 1]; break;
            default: throw Unsupported(c.Resolution);
        }
        return [.. ins.Select((m, i) =>
        {
            int resolution = BottomWidth << (i + 1);
            return new GBlockSpec(m * c.Ch, outs[i] * c.Ch, resolution, c.GAttention.Contains(resolution));
        })];
    }

    /// <summary>
    /// D's blocks for the configuration's resolution. Each block is labelled with its output resolution; the
    /// reference's 32x32 table labels all four blocks 16 instead (it matters only with attention in a 32x32 D,
    /// which the reference CIFAR setup does not use).
    /// </summary>
    public static IReadOnlyList<DBlockSpec> Discriminator(BigGanConfig c)
    {
        int[] ins, outs;
        bool[] down;
        switch (c.Resolution)
        {
            case 32: ins = [0, 4, 4, 4]; outs = [4, 4, 4, 4]; down = [true, true, false, false]; break;
            case 64: ins = [0, 1, 2, 4, 8]; outs = [1, 2, 4, 8, 16]; down = [true, true, true, true, false]; break;
            case 128: ins = [0, 1, 2, 4, 8, 16]; outs = [1, 2, 4, 8, 16, 16]; down = [true, true, true, true, true, false]; break;
            case 256: ins = [0, 1, 2, 4, 8, 8, 16]; outs = [1, 2, 4, 8, 8, 16, 16]; down = [true, true, true, true, true, true, false]; break;
            default: throw Unsupported(c.Resolution);
        }
        var blocks = new List<DBlockSpec>();
        int size = c.Resolution;
        for (int i = 0; i < outs.Length; i++)
        {
            if (down[i]) size /= 2;
            int inCh = i == 0 ? c.ImageChannels : ins[i] * c.Ch;
            blocks.Add(new DBlockSpec(inCh, outs[i] * c.Ch, down[i], size, c.DAttention.Contains(size)));
        }
        return blocks;
    }

    private static ArgumentException Unsupported(int resolution) =>
        new($"BigGAN resolution {resolution} is not supported; use one of {string.Join(", ", Resolutions)}.");
}
