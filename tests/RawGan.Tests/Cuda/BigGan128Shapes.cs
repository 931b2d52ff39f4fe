using RawGan.Engine;
using RawGan.Model.BigGan;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Every distinct convolution of BigGAN-128 (<see cref="BigGanConfig.ImageNet128"/>: G and D blocks, their 1x1
/// shortcuts, self-attention's 1x1 projections, G's output convolution) at a batch size, read off the architecture
/// tables as GBlock, DBlock and SelfAttention use them.
/// </summary>
internal static class BigGan128Shapes
{
    public static IReadOnlyList<Conv2dGeometry> All(int batch)
    {
        var config = BigGanConfig.ImageNet128;
        var shapes = new List<Conv2dGeometry>();
        void Conv(int c, int k, int size, int kernel) => shapes.Add(new(batch, c, size, size, k, kernel, kernel, 1, 1, kernel / 2, kernel / 2));
        void Attention(int c, int size)
        {
            Conv(c, c / 8, size, 1);  // theta, phi
            Conv(c, c / 2, size, 1);  // g
            Conv(c / 2, c, size, 1);  // o
        }
        var g = BigGanArchitecture.Generator(config);
        foreach (var b in g)
        {
            Conv(b.In, b.Out, b.Resolution, 3);
            Conv(b.Out, b.Out, b.Resolution, 3);
            Conv(b.In, b.Out, b.Resolution, 1);
            if (b.Attention) Attention(b.Out, b.Resolution);
        }
        Conv(g[^1].Out, config.ImageChannels, config.Resolution, 3);
        var d = BigGanArchitecture.Discriminator(config);
        for (int i = 0; i < d.Count; i++)
        {
            var b = d[i];
            int input = b.Downsample ? b.Resolution * 2 : b.Resolution;
            Conv(b.In, b.Out, input, 3);
            Conv(b.Out, b.Out, input, 3);
            if (b.In != b.Out || b.Downsample) Conv(b.In, b.Out, i == 0 ? b.Resolution : input, 1);  // the first block pools first
            if (b.Attention) Attention(b.Out, b.Resolution);
        }
        return [.. shapes.Distinct()];
    }
}
