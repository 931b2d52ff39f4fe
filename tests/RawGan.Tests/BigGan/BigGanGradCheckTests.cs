using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Model.BigGan;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.BigGan;

/// <summary>
/// Float64 central-difference gradient checks of BigGAN's blocks and of a whole tiny G and D, with respect to
/// their inputs and parameters (training mode: batch statistics).
///
/// Spectral norm is off here (<see cref="BigGanConfig.SpectralNorm"/>): σ's gradient is defined with the power
/// iteration's u' and v held constant (BIGGAN.md, as BigGAN-PyTorch), which is not the derivative of W/σ(W) that
/// central differences measure, and in training every forward would also move u. So these checks cover the
/// blocks' own algebra exactly; the spectral-norm op is checked on its own (GradCheck/SpectralNormGradCheckTests:
/// dσ/dW = u'vᵀ, and the exact gradient of σ_max once converged), and the networks with spectral norm on are
/// checked against PyTorch's autograd, which uses the same convention (BigGanParityTests).
///
/// Inputs are redrawn until the pass keeps every ReLU input and max-pool lead clear of the perturbation, since a
/// central difference across a kink or a tie is wrong by design. Attention's gamma starts at 0 in the model; here
/// it is set nonzero so that gradient reaches theta, phi, g and o.
/// </summary>
[Category("GradCheck")]
public class BigGanGradCheckTests
{
    private const int MaxDraws = 50;

    /// <summary>32x32, 8 channels (ch 2), hierarchical z of 8 (4 chunks of 2), shared embedding 3, attention at 16 in G and D.</summary>
    private static readonly BigGanConfig Tiny = BigGanConfig.Mnist32Small with
    {
        Ch = 2, DimZ = 8, SharedDim = 3, NumClasses = 3, ImageChannels = 2, SpectralNorm = false, DType = DType.Float64,
    };

    private sealed record Case(Module Module, Tensor[] Inputs, Func<Tensor> Forward);

    /// <summary>Draws cases until the forward pass is clear of kinks and ties by <paramref name="margin"/>.</summary>
    private static Case Draw(TestRng rng, Func<ulong, Case> make, double margin)
    {
        double worst = 0;
        for (int attempt = 0; attempt < MaxDraws; attempt++)
        {
            var c = make((ulong)rng.Int(0, int.MaxValue));
            var (relu, pool) = KinkProbe.Margins(c.Forward());
            if (relu >= margin && pool >= margin)
            {
                TestContext.Out.WriteLine($"draw {attempt + 1}: relu margin {relu:g3}, max-pool lead {pool:g3}");
                return c;
            }
            worst = Math.Max(worst, Math.Min(relu, pool));
        }
        Assert.Fail($"No draw in {MaxDraws} kept ReLU inputs and max-pool leads ≥ {margin:g2} (best {worst:g2}); {rng}");
        return null!;
    }

    private static Tensor Param(Module m, string name) => m.NamedParameters().Single(p => p.Key == name).Value;

    private static void SetGammas(Module m, TestRng rng)
    {
        foreach (var (name, p) in m.NamedParameters().Where(p => p.Key.EndsWith("gamma", StringComparison.Ordinal)))
            GradientChecker.Set(p, 0, rng.Uniform(0.5, 1.5));
    }

    /// <summary>
    /// Checks the gradient of the case's forward with respect to its inputs and the named parameters (all when null,
    /// except conv1.bias of a GBlock: bn2 removes any per-channel shift, so its gradient is exactly zero and a
    /// central difference measures only rounding; the analytic one is asserted zero instead).
    /// </summary>
    private static void Check(string name, TestRng rng, Case c, string[]? parameters = null,
                              double step = GradientChecker.DefaultStep, double rtol = GradientChecker.DefaultRelative,
                              double atol = GradientChecker.DefaultAbsolute)
    {
        bool zeroBias = parameters is null && c.Module is GBlock;
        var checkedParams = parameters is null
            ? c.Module.NamedParameters().Where(p => !(zeroBias && p.Key == "conv1.bias")).Select(p => p.Value)
            : parameters.Select(p => Param(c.Module, p));
        var all = c.Inputs.Concat(checkedParams).ToArray();
        // Parameters not under check still collect gradients; clear them so each run starts clean.
        foreach (var (_, p) in c.Module.NamedParameters()) p.Grad = null;
        GradientChecker.Check(name, rng, _ => c.Forward(), all, rtol, atol, step);
        if (zeroBias)
            Assert.That(Param(c.Module, "conv1.bias").Grad!.ToDoubleArray().Max(Math.Abs), Is.LessThan(1e-12), $"conv1.bias before bn2 has zero gradient; {rng}");
    }

    [Test]
    public void GBlockWithSharedConditioning()
    {
        var rng = TestRng.Fresh();
        var c = Draw(rng, seed =>
        {
            var block = new GBlock(3, 4, Tiny, new SeedSequence(seed));
            WeightInitializer.Apply(block, Tiny.Init, new SeedSequence(seed + 1));
            var x = rng.Normal([2, 3, 3, 3], requiresGrad: true);
            var cond = rng.Normal([2, Tiny.ConditioningDim], requiresGrad: true);
            return new Case(block, [x, cond], () => block.Forward(x, cond));
        }, margin: 1e-4);
        Check("GBlock (shared conditioning)", rng, c);
    }

    [Test]
    public void GBlockWithPerClassTables()
    {
        var rng = TestRng.Fresh();
        var config = BigGanConfig.Cifar32 with { NumClasses = 3, SpectralNorm = false, DType = DType.Float64 };
        var c = Draw(rng, seed =>
        {
            var block = new GBlock(2, 3, config, new SeedSequence(seed));
            WeightInitializer.Apply(block, WeightInit.Orthogonal, new SeedSequence(seed + 1)); // N(0, 0.02) would leave the gains near 1
            var x = rng.Normal([3, 2, 3, 3], requiresGrad: true);
            var labels = Tensor.FromArray(new[] { 0, 2, 1 });
            return new Case(block, [x], () => block.Forward(x, labels));
        }, margin: 1e-4);
        Check("GBlock (per-class tables)", rng, c);
    }

    [TestCase(2, 3, false, true, TestName = "DBlock first: avgpool then conv_sc")]
    [TestCase(3, 3, true, true, TestName = "DBlock preactivated, downsampling: conv_sc then avgpool")]
    [TestCase(3, 4, true, false, TestName = "DBlock preactivated, widening without downsampling")]
    [TestCase(3, 3, true, false, TestName = "DBlock preactivated, identity shortcut")]
    public void DBlock(int inChannels, int outChannels, bool preactivation, bool downsample)
    {
        var rng = TestRng.Fresh();
        var c = Draw(rng, seed =>
        {
            var block = new DBlock(inChannels, outChannels, preactivation, downsample, Tiny, new SeedSequence(seed));
            WeightInitializer.Apply(block, Tiny.Init, new SeedSequence(seed + 1));
            var x = rng.Normal([2, inChannels, 4, 4], requiresGrad: true);
            return new Case(block, [x], () => block.Forward(x));
        }, margin: 1e-4);
        Assert.That(c.Module.NamedParameters().Any(p => p.Key.StartsWith("conv_sc", StringComparison.Ordinal)), Is.EqualTo(inChannels != outChannels || downsample));
        Check("DBlock", rng, c);
    }

    [TestCase(8, 4, 4)]
    [TestCase(16, 2, 6)]
    public void SelfAttention(int channels, int h, int w)
    {
        var rng = TestRng.Fresh();
        var c = Draw(rng, seed =>
        {
            var block = new SelfAttention(channels, Tiny, new SeedSequence(seed));
            WeightInitializer.Apply(block, Tiny.Init, new SeedSequence(seed + 1));
            SetGammas(block, rng);
            var x = rng.Normal([2, channels, h, w], requiresGrad: true);
            return new Case(block, [x], () => block.Forward(x));
        }, margin: 1e-4);
        Check("self-attention", rng, c);
    }

    /// <summary>
    /// The whole tiny G at batch 1 (its batch norms still see 4x4 and more positions per channel): z and one
    /// parameter of each kind (the blocks' parameters are all checked above; z's gradient passes through the first
    /// linear layer), so that the check stays fast: the shared embedding, conditional-BN maps of the first and last
    /// blocks, a shortcut bias (not the last block's: the output BN cancels a per-channel shift, so its gradient is
    /// exactly zero), the attention's o and gamma, the output BN and convolution. Its ~20k ReLU inputs make a
    /// margin of 1e-4 rare, so the margin is 1e-5 (ten steps). Batch norm amplifies rounding beyond the checker's
    /// ε·|f|/h estimate (about 2e-8 here; differences up to 6e-8 were seen on gradients near 1e-3), hence a
    /// relative tolerance of 1e-5 and an absolute floor of 2e-7 (gradients here are mostly 1e-3 to 1).
    /// </summary>
    [Test]
    public void WholeGenerator()
    {
        var rng = TestRng.Fresh();
        var c = Draw(rng, seed =>
        {
            var g = new BigGanGenerator(Tiny, seed);
            SetGammas(g, rng);
            var z = rng.Normal([1, g.DimZ], requiresGrad: true);
            var labels = Tensor.FromArray(new[] { 2 });
            return new Case(g, [z], () => g.Generate(z, labels));
        }, margin: 1e-5);
        Check("tiny G", rng, c,
        [
            "shared.weight", "blocks.0.0.bn1.gain.weight", "blocks.2.0.bn2.bias.weight", "blocks.1.0.conv_sc.bias",
            "blocks.1.1.o.weight", "blocks.1.1.gamma", "output_layer.0.gain", "output_layer.0.bias", "output_layer.2.bias",
        ], step: 1e-6, rtol: 1e-5, atol: 2e-7);
    }

    /// <summary>
    /// The whole tiny D: the projection head, the attention after the first block, the first block's shortcut and a
    /// bias of the last block (the blocks' parameters and inputs are all checked above). The step is 1e-7 with a
    /// margin of 1e-5: a hundred steps from every ReLU kink, and D has no batch norm to amplify rounding.
    /// </summary>
    [Test]
    public void WholeDiscriminator()
    {
        var rng = TestRng.Fresh();
        var c = Draw(rng, seed =>
        {
            var d = new BigGanDiscriminator(Tiny, seed);
            SetGammas(d, rng);
            var images = rng.Normal([2, Tiny.ImageChannels, 32, 32], requiresGrad: false);
            var labels = Tensor.FromArray(new[] { 1, 2 });
            return new Case(d, [], () => d.Score(images, labels));
        }, margin: 1e-5);
        Check("tiny D", rng, c,
        [
            "embed.weight", "linear.weight", "linear.bias", "blocks.0.1.theta.weight", "blocks.0.1.g.weight", "blocks.0.1.gamma",
            "blocks.0.0.conv_sc.weight", "blocks.3.0.conv1.bias",
        ], step: 1e-7);
    }
}
