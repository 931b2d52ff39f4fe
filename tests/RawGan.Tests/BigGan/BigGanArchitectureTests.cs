using RawGan.Engine;
using RawGan.Model.BigGan;

namespace RawGan.Tests.BigGan;

/// <summary>Parameter counts against the reference, module names, shapes at every resolution, presets.</summary>
public class BigGanArchitectureTests
{
    // Parameter counts printed by `python3 tests/reference/biggan_reference.py counts`, the port of BigGAN-PyTorch's
    // BigGAN.py/layers.py (sum of p.numel() over G.parameters() / D.parameters()). For ImageNet 128 they are the
    // figures commonly quoted for BigGAN-PyTorch's ch-96 model: G 70,433,988 and D 87,982,370 (the reference's own
    // "Param count" log line counts only conv/linear/embedding modules: 70,433,795 and 87,982,369).
    private const long ImageNet128G = 70_433_988, ImageNet128D = 87_982_370;
    private const long Cifar32G = 4_304_387, Cifar32D = 4_207_361;
    private const long Mnist32SmallG = 87_746, Mnist32SmallD = 67_810;
    private const long Mnist32G = 308_993, Mnist32D = 264_129;

    [Test]
    public void ImageNet128CountsEqualTheReference()
    {
        var g = new BigGanGenerator(BigGanConfig.ImageNet128, initialize: false);
        Assert.That(g.ParameterCount, Is.EqualTo(ImageNet128G));
        var d = new BigGanDiscriminator(BigGanConfig.ImageNet128, initialize: false);
        Assert.That(d.ParameterCount, Is.EqualTo(ImageNet128D));
    }

    [Test]
    public void PresetCountsEqualTheReference()
    {
        Assert.That(new BigGanGenerator(BigGanConfig.Cifar32, initialize: false).ParameterCount, Is.EqualTo(Cifar32G));
        Assert.That(new BigGanDiscriminator(BigGanConfig.Cifar32, initialize: false).ParameterCount, Is.EqualTo(Cifar32D));
        Assert.That(new BigGanGenerator(BigGanConfig.Mnist32Small, initialize: false).ParameterCount, Is.EqualTo(Mnist32SmallG));
        Assert.That(new BigGanDiscriminator(BigGanConfig.Mnist32Small, initialize: false).ParameterCount, Is.EqualTo(Mnist32SmallD));
        Assert.That(new BigGanGenerator(BigGanConfig.Mnist32, initialize: false).ParameterCount, Is.EqualTo(Mnist32G));
        Assert.That(new BigGanDiscriminator(BigGanConfig.Mnist32, initialize: false).ParameterCount, Is.EqualTo(Mnist32D));
    }

    /// <summary>The ImageNet layout (ch 96, dim_z 120, shared 128, hierarchical) at each resolution; counts from the same script.</summary>
    [TestCase(32, 16, 16, 9_650_436L, 10_021_250L)]
    [TestCase(64, 64, 16, 70_239_108L, 45_546_530L)]
    [TestCase(128, 64, 64, ImageNet128G, ImageNet128D)]
    [TestCase(256, 64, 64, 82_108_548L, 99_225_890L)]
    public void ImageNetLayoutCountsAtEveryResolution(int resolution, int gAttention, int dAttention, long gCount, long dCount)
    {
        var config = BigGanConfig.ImageNet128 with { Resolution = resolution, GAttention = [gAttention], DAttention = [dAttention] };
        Assert.That(new BigGanGenerator(config, initialize: false).ParameterCount, Is.EqualTo(gCount));
        Assert.That(new BigGanDiscriminator(config, initialize: false).ParameterCount, Is.EqualTo(dCount));
    }

    /// <summary>The smallest ch that gives the attention blocks their 8 channels keeps the forward passes cheap.</summary>
    [TestCase(32, 16, 16, 2)]
    [TestCase(64, 64, 16, 4)]
    [TestCase(128, 64, 64, 8)]
    [TestCase(256, 64, 64, 4)]
    public void ShapesAtEveryResolution(int resolution, int gAttention, int dAttention, int ch)
    {
        var config = BigGanConfig.ImageNet128 with
        {
            Resolution = resolution, Ch = ch, DimZ = 30, SharedDim = 6, NumClasses = 5,
            GAttention = [gAttention], DAttention = [dAttention],
        };
        var g = new BigGanGenerator(config, seed: 3);
        var d = new BigGanDiscriminator(config, seed: 4);
        int chunks = BigGanArchitecture.Generator(config).Count + 1;
        Assert.That(g.DimZ, Is.EqualTo(30 / chunks * chunks));
        // Batch 1 keeps the 256x256 case cheap; G's first batch norm still sees 4x4 values per channel.
        var z = Tensor.RandomNormal([1, g.DimZ], 5);
        var labels = Tensor.FromArray(new[] { 4 });
        var images = g.Generate(z, labels);
        Assert.That(images.Shape, Is.EqualTo(new Shape(1, 3, resolution, resolution)));
        Assert.That(images.ToDoubleArray().All(v => v is >= -1 and <= 1), Is.True, "tanh output in [−1, 1]");
        var scores = d.Score(images, labels);
        Assert.That(scores.Shape, Is.EqualTo(new Shape(1)));
        Assert.That(scores.ToDoubleArray().All(double.IsFinite), Is.True);
    }

    [Test]
    public void NamesFollowTheReference()
    {
        var config = BigGanConfig.ImageNet128 with { Ch = 8, NumClasses = 3 };
        var g = new BigGanGenerator(config, initialize: false);
        var gNames = g.StateDict().Select(kv => kv.Key).ToHashSet();
        Assert.That(gNames, Is.SupersetOf(new[]
        {
            "shared.weight", "linear.weight", "linear.bias", "linear.u0", "linear.sv0",
            "blocks.0.0.conv1.weight", "blocks.0.0.conv_sc.bias", "blocks.0.0.bn1.gain.weight", "blocks.0.0.bn1.gain.u0",
            "blocks.0.0.bn2.bias.weight", "blocks.0.0.bn1.stored_mean", "blocks.0.0.bn2.stored_var",
            "blocks.3.1.theta.weight", "blocks.3.1.phi.u0", "blocks.3.1.g.weight", "blocks.3.1.o.weight", "blocks.3.1.gamma",
            "output_layer.0.gain", "output_layer.0.bias", "output_layer.0.stored_mean", "output_layer.2.weight", "output_layer.2.bias",
        }));
        Assert.That(gNames.Where(n => n.Contains(".1.gamma", StringComparison.Ordinal)), Is.EqualTo(new[] { "blocks.3.1.gamma" }), "G attention only after the block at 64");
        Assert.That(gNames, Has.None.Contains("theta.bias"), "attention convs have no bias");

        var d = new BigGanDiscriminator(config, initialize: false);
        var dNames = d.StateDict().Select(kv => kv.Key).ToHashSet();
        Assert.That(dNames, Is.SupersetOf(new[]
        {
            "blocks.0.0.conv1.weight", "blocks.0.0.conv_sc.weight", "blocks.0.1.gamma", "blocks.5.0.conv2.weight",
            "linear.weight", "linear.bias", "linear.u0", "embed.weight", "embed.u0", "embed.sv0",
        }));
        Assert.That(dNames, Has.None.StartsWith("blocks.5.0.conv_sc"), "the last D block keeps its width and size: identity shortcut");
    }

    [Test]
    public void WithoutSharedEmbeddingConditionalBnUsesPerClassTables()
    {
        var g = new BigGanGenerator(BigGanConfig.Cifar32 with { Ch = 4 }, seed: 1);
        var state = g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.That(state.Keys, Has.None.StartsWith("shared"));
        Assert.That(state["blocks.0.0.bn1.gain.weight"].Shape, Is.EqualTo(new Shape(10, 16)));
        Assert.That(state.Keys, Has.None.EqualTo("blocks.0.0.bn1.gain.u0"), "per-class BN tables are not spectrally normalised");
        Assert.That(state["linear.weight"].Shape, Is.EqualTo(new Shape(16 * 16, 128)), "the whole z feeds the first linear layer");
        var images = g.Generate(Tensor.RandomNormal([3, 128], 2), Tensor.FromArray(new[] { 0, 9, 5 }));
        Assert.That(images.Shape, Is.EqualTo(new Shape(3, 3, 32, 32)));
    }

    [Test]
    public void HierarchicalLatentSplitsAsTheReference()
    {
        var c = BigGanConfig.ImageNet128;
        Assert.That((c.LatentChunks, c.ZChunk, c.EffectiveDimZ, c.ConditioningDim), Is.EqualTo((6, 20, 120, 148)));
        var rounded = c with { DimZ = 125 };
        Assert.That((rounded.ZChunk, rounded.EffectiveDimZ), Is.EqualTo((20, 120)), "dim_z rounded down to a multiple of the chunks");
        var g = new BigGanGenerator(c with { Ch = 8, NumClasses = 3 }, initialize: false);
        Assert.That(g.Linear.Weight.Shape, Is.EqualTo(new Shape(16 * 8 * 16, 20)));
        Assert.That(g.Blocks[0].Bn1.NamedParameters().Single(p => p.Key == "gain.weight").Value.Shape, Is.EqualTo(new Shape(16 * 8, 148)));
    }

    [Test]
    public void ValidationNamesTheProblem()
    {
        var c = BigGanConfig.Mnist32Small;
        Assert.That(() => new BigGanGenerator(c with { Resolution = 48 }), Throws.ArgumentException.With.Message.Contains("resolution 48"));
        Assert.That(() => (c with { DimZ = 3 }).Validate(), Throws.ArgumentException.With.Message.Contains("too small to split into 4 chunks"));
        Assert.That(() => (c with { SharedEmbedding = false }).Validate(), Throws.ArgumentException.With.Message.Contains("needs the shared embedding"));
        Assert.That(() => (c with { GAttention = [64] }).Validate(), Throws.ArgumentException.With.Message.Contains("no block with output resolution 64"));
        Assert.That(() => (c with { Ch = 1 }).Validate(), Throws.ArgumentException.With.Message.Contains("at least 8 channels"));
        Assert.That(() => (c with { SharedDim = 0 }).Validate(), Throws.ArgumentException.With.Message.Contains("shared_dim"));
        Assert.That(() => (c with { SnEps = 0 }).Validate(), Throws.ArgumentException.With.Message.Contains("spectral-norm epsilon"));
        Assert.That(() => (c with { DType = DType.Int32 }).Validate(), Throws.ArgumentException.With.Message.Contains("Float32 or Float64"));
        Assert.That(() => BigGanConfig.Preset("nope"), Throws.ArgumentException.With.Message.Contains("Unknown BigGAN preset"));
        Assert.That(BigGanConfig.Preset("imagenet128"), Is.SameAs(BigGanConfig.ImageNet128));
        var g = new BigGanGenerator(c, seed: 1);
        Assert.That(() => g.Generate(Tensor.Zeros([2, 63]), Tensor.FromArray(new[] { 0, 1 })), Throws.ArgumentException.With.Message.Contains("(N, 64)"));
        Assert.That(() => g.Generate(Tensor.Zeros([2, 64]), Tensor.Zeros([2])), Throws.ArgumentException.With.Message.Contains("Int32"));
        var d = new BigGanDiscriminator(c, seed: 1);
        Assert.That(() => d.Score(Tensor.Zeros([2, 3, 32, 32]), Tensor.FromArray(new[] { 0, 1 })), Throws.ArgumentException.With.Message.Contains("(N, 1, 32, 32)"));
    }

    [Test]
    public void ConstructionIsDeterministicPerSeed()
    {
        var c = BigGanConfig.Mnist32Small;
        var a = new BigGanGenerator(c, seed: 7).StateDict().ToList();
        var b = new BigGanGenerator(c, seed: 7).StateDict().ToList();
        var other = new BigGanGenerator(c, seed: 8).StateDict().ToList();
        Assert.That(b.Select(kv => kv.Key), Is.EqualTo(a.Select(kv => kv.Key)));
        for (int i = 0; i < a.Count; i++) Assert.That(b[i].Value.ToDoubleArray(), Is.EqualTo(a[i].Value.ToDoubleArray()), a[i].Key);
        Assert.That(other.Single(kv => kv.Key == "blocks.2.0.conv1.weight").Value.ToDoubleArray(),
                    Is.Not.EqualTo(a.Single(kv => kv.Key == "blocks.2.0.conv1.weight").Value.ToDoubleArray()));
        Assert.That(other.Single(kv => kv.Key == "blocks.2.0.conv1.u0").Value.ToDoubleArray(),
                    Is.Not.EqualTo(a.Single(kv => kv.Key == "blocks.2.0.conv1.u0").Value.ToDoubleArray()));
    }

    [Test]
    public void InitialisationFollowsTheReference()
    {
        var g = new BigGanGenerator(BigGanConfig.Mnist32Small with { DType = DType.Float64 }, seed: 11);
        // Orthogonal: the first linear layer (256 × 16) has orthonormal columns.
        var w = g.Linear.Weight.ToDoubleArray();
        int rows = g.Linear.Weight.Shape[0], cols = g.Linear.Weight.Shape[1];
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++)
            {
                double dot = 0;
                for (int r = 0; r < rows; r++) dot += w[r * cols + i] * w[r * cols + j];
                Assert.That(dot, Is.EqualTo(i == j ? 1.0 : 0.0).Within(1e-12), $"column {i}·{j}");
            }
        // Biases: PyTorch's default U(−1/√fan_in, 1/√fan_in), not zero.
        var bias = g.Blocks[0].Conv1.Bias!.ToDoubleArray();
        double bound = 1 / Math.Sqrt(32 * 9);
        Assert.That(bias.All(v => Math.Abs(v) <= bound) && bias.Any(v => v != 0), Is.True);
        var state = g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());
        Assert.That(state["blocks.1.1.gamma"], Is.EqualTo(new[] { 0.0 }));
        Assert.That(state["output_layer.0.gain"].All(v => v == 1), Is.True);

        var n02 = new BigGanDiscriminator(BigGanConfig.Cifar32, seed: 5).Blocks[1].Conv1.Weight.ToDoubleArray();
        double std = Math.Sqrt(n02.Select(v => v * v).Average());
        Assert.That(std, Is.EqualTo(0.02).Within(0.0005), "N(0, 0.02²) init");
    }

    [Test]
    public void SummaryRowsAddUpToTheTotal()
    {
        var g = new BigGanGenerator(BigGanConfig.ImageNet128, initialize: false);
        var rows = ModelSummary.Rows(g);
        Assert.That(rows.Select(r => r.Path), Is.EqualTo(new[] { "shared", "linear", "blocks", "output_layer", ModelSummary.TotalPath }));
        Assert.That(rows[^1].Parameters, Is.EqualTo(ImageNet128G));
        Assert.That(rows.Take(rows.Count - 1).Sum(r => r.Parameters), Is.EqualTo(ImageNet128G));
        Assert.That(rows[0].Parameters, Is.EqualTo(1000L * 128));
        var deep = ModelSummary.Rows(g, depth: 3);
        Assert.That(deep.Select(r => r.Path), Does.Contain("blocks.3.1").And.Contain("blocks.0.0"));
        Assert.That(deep.Single(r => r.Path == "blocks").Parameters, Is.EqualTo(deep.Where(r => r.Path.Count(ch => ch == '.') == 1 && r.Path.StartsWith("blocks.", StringComparison.Ordinal)).Sum(r => r.Parameters)));
        Assert.That(ModelSummary.Format(rows), Does.Contain("70,433,988"));
    }
}
