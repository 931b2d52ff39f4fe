using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Model;
using RawGan.Model.Training;

namespace RawGan.Tests.Training;

using Ops = RawGan.Engine.Ops;

/// <summary>A minimal conditional GAN (4x4 images) to test the trainer apart from BigGAN.</summary>
internal sealed class TinyG : Module, IConditionalGenerator
{
    private readonly Embedding _embed;
    private readonly Linear _fc;
    private readonly BatchNorm _bn;

    public TinyG(ulong seed, Device? device = null)
    {
        _embed = Child("shared", new Embedding(3, 4, device: device));
        _fc = Child("fc", new Linear(8 + 4, 16, sn: new SpectralNormOptions(), device: device, seed: seed));
        _bn = Child("bn", new BatchNorm(1, device: device));
        Init.Orthogonal(_embed.Weight, seed + 1);
        Init.Orthogonal(_fc.Weight, seed + 2);
    }

    public int DimZ => 8;

    public int NumClasses => 3;

    public Tensor Generate(Tensor z, Tensor labels)
    {
        var h = _fc.Forward(Ops.Cat([z, _embed.Forward(labels)], 1));
        return Ops.Tanh(_bn.Forward(Ops.Reshape(h, new Shape(z.Shape[0], 1, 4, 4))));
    }
}

internal sealed class TinyD : Module, IConditionalDiscriminator
{
    private readonly Conv2d _conv;
    private readonly Linear _out;
    private readonly Embedding _embed;

    public TinyD(ulong seed, Device? device = null)
    {
        _conv = Child("conv", new Conv2d(1, 6, 3, padding: 1, sn: new SpectralNormOptions(), device: device, seed: seed));
        _out = Child("linear", new Linear(6, 1, sn: new SpectralNormOptions(), device: device, seed: seed + 1));
        _embed = Child("embed", new Embedding(3, 6, sn: new SpectralNormOptions(), device: device, seed: seed + 2));
        Init.Orthogonal(_conv.Weight, seed + 3);
        Init.Orthogonal(_out.Weight, seed + 4);
        Init.Orthogonal(_embed.Weight, seed + 5);
    }

    public Tensor Score(Tensor images, Tensor labels)
    {
        var h = Ops.Sum(Ops.Relu(_conv.Forward(images)), [2, 3]);
        var projection = Ops.Sum(Ops.Mul(_embed.Forward(labels), h), [1]);
        return Ops.Add(Ops.Reshape(_out.Forward(h), new Shape(images.Shape[0])), projection);
    }
}

/// <summary>Real 4x4 images of three classes (a bright row at a class-specific height), in order, resumable.</summary>
internal sealed class StripeBatches(int batchSize, Device? device = null) : IRealBatches
{
    public long Position { get; set; }

    public (Tensor Images, Tensor Labels) Next()
    {
        var x = new float[batchSize * 16];
        var y = new int[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            long k = Position++;
            y[i] = (int)(k % 3);
            for (int p = 0; p < 16; p++) x[i * 16 + p] = p / 4 == y[i] ? 0.9f : -0.9f;
        }
        return (Tensor.FromArray(x, new Shape(batchSize, 1, 4, 4), device), Tensor.FromArray(y, device));
    }
}
