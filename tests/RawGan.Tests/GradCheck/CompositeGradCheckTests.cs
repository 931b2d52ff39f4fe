using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

/// <summary>
/// Small composites built as BigGAN builds them. Relu kinks and max-pool ties make central differences
/// meaningless where an input sits within a step of them, so each test draws inputs until every pre-activation is
/// at least <see cref="KinkMargin"/> from zero and every pooling window's maximum leads by <see cref="TieMargin"/>.
/// </summary>
[Category("GradCheck")]
public class CompositeGradCheckTests
{
    private const double KinkMargin = 1e-3;
    private const double TieMargin = 1e-4;
    private const int MaxDraws = 50;

    /// <summary>Tensors a forward pass reports for the margin checks.</summary>
    private sealed class Probes
    {
        public List<Tensor> PreRelu { get; } = [];

        public List<Tensor> PreMaxPool { get; } = [];

        public Tensor Relu(Tensor x)
        {
            PreRelu.Add(x);
            return Engine.Ops.Relu(x);
        }

        public Tensor MaxPool(Tensor x)
        {
            PreMaxPool.Add(x);
            return MaxPool2d(x);
        }

        public bool ClearOfKinksAndTies() =>
            PreRelu.All(t => t.ToDoubleArray().All(v => Math.Abs(v) >= KinkMargin)) &&
            PreMaxPool.All(t => MinWindowLead(t) >= TieMargin);

        private static double MinWindowLead(Tensor t)
        {
            var x = t.ToDoubleArray();
            int planes = t.Shape[0] * t.Shape[1], h = t.Shape[2], w = t.Shape[3];
            double lead = double.PositiveInfinity;
            for (int p = 0; p < planes; p++)
            for (int i = 0; i + 1 < h; i += 2)
            for (int j = 0; j + 1 < w; j += 2)
            {
                double[] win = [x[(p * h + i) * w + j], x[(p * h + i) * w + j + 1], x[(p * h + i + 1) * w + j], x[(p * h + i + 1) * w + j + 1]];
                Array.Sort(win);
                lead = Math.Min(lead, win[3] - win[2]);
            }
            return lead;
        }
    }

    /// <summary>Draws inputs until the forward pass is clear of kinks and ties.</summary>
    private static Tensor[] Draw(TestRng rng, Func<Tensor[]> make, Func<Tensor[], Probes, Tensor> forward)
    {
        for (int attempt = 0; attempt < MaxDraws; attempt++)
        {
            var inputs = make();
            var probes = new Probes();
            using (GradMode.Disable()) forward(inputs, probes);
            if (probes.ClearOfKinksAndTies()) return inputs;
        }
        Assert.Fail($"No inputs clear of relu kinks and pooling ties in {MaxDraws} draws; {rng}");
        return [];
    }

    [TestCase(2, 3, 5, 5, 4)]
    [TestCase(1, 2, 4, 3, 3)]
    public void ConvBatchNormRelu(int n, int c, int h, int w, int k)
    {
        var rng = TestRng.Fresh();
        static Tensor Forward(Tensor[] p, Probes probes) =>
            probes.Relu(BatchNorm(Conv2d(p[0], p[1], null, 1, 1), null, null, p[2], p[3], training: true));
        var inputs = Draw(rng, () =>
        [
            rng.Normal([n, c, h, w], requiresGrad: true),
            rng.Normal([k, c, 3, 3], requiresGrad: true, std: 0.5),
            rng.Uniform([k], 0.5, 1.5, requiresGrad: true),
            rng.Normal([k], requiresGrad: true, std: 0.5),
        ], Forward);
        GradientChecker.Check("conv → batch norm → relu", rng, p => Forward(p, new Probes()), inputs);
    }

    /// <summary>
    /// BigGAN's self-attention (BIGGAN.md): theta, phi, g are 1x1 convs (C/8, C/8, C/2 channels); phi and g are
    /// max-pooled; beta = softmax over key positions of thetaᵀ·phi; o = conv1x1(g·betaᵀ); output x + gamma·o.
    /// (Spectral normalisation is left out: its σ gradient is deliberately not the full derivative.)
    /// </summary>
    private static Tensor SelfAttention(Tensor[] p, Probes probes)
    {
        var (x, wTheta, wPhi, wG, wO, gamma) = (p[0], p[1], p[2], p[3], p[4], p[5]);
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], hw = h * w;
        var theta = Reshape(Conv2d(x, wTheta), new Shape(b, c / 8, hw));
        var phi = Reshape(probes.MaxPool(Conv2d(x, wPhi)), new Shape(b, c / 8, hw / 4));
        var g = Reshape(probes.MaxPool(Conv2d(x, wG)), new Shape(b, c / 2, hw / 4));
        var beta = Softmax(BatchedMatMul(theta, phi, transA: true));              // (B, HW, HW/4)
        var attended = BatchedMatMul(g, beta, transB: true);                       // (B, C/2, HW)
        var o = Conv2d(Reshape(attended, new Shape(b, c / 2, h, w)), wO);
        return Add(x, Mul(gamma, o));
    }

    [TestCase(2, 16, 4, 4)]
    [TestCase(1, 8, 4, 6)]
    public void SelfAttention_(int n, int c, int h, int w)
    {
        var rng = TestRng.Fresh();
        var inputs = Draw(rng, () =>
        [
            rng.Normal([n, c, h, w], requiresGrad: true),
            rng.Normal([c / 8, c, 1, 1], requiresGrad: true, std: 0.5),
            rng.Normal([c / 8, c, 1, 1], requiresGrad: true, std: 0.5),
            rng.Normal([c / 2, c, 1, 1], requiresGrad: true, std: 0.5),
            rng.Normal([c, c / 2, 1, 1], requiresGrad: true, std: 0.5),
            rng.Uniform([1], 0.5, 1.5, requiresGrad: true), // gamma: nonzero, so every path carries gradient
        ], SelfAttention);
        GradientChecker.Check("self-attention", rng, p => SelfAttention(p, new Probes()), inputs);
    }

    /// <summary>A generator-style residual block: BN → relu → upsample → conv3x3 → BN → relu → conv3x3, plus upsample → conv1x1.</summary>
    private static Tensor GBlock(Tensor[] p, Probes probes)
    {
        var (x, w1, w2, wSkip, gamma, beta) = (p[0], p[1], p[2], p[3], p[4], p[5]);
        var h = Upsample2x(probes.Relu(BatchNorm(x, null, null, gamma, beta, training: true)));
        h = Conv2d(h, w1, null, 1, 1);
        h = Conv2d(probes.Relu(BatchNorm(h, null, null, null, null, training: true)), w2, null, 1, 1);
        return Add(h, Conv2d(Upsample2x(x), wSkip));
    }

    [Test]
    public void GeneratorBlock()
    {
        var rng = TestRng.Fresh();
        const int n = 2, cin = 3, cout = 2;
        var inputs = Draw(rng, () =>
        [
            rng.Normal([n, cin, 3, 3], requiresGrad: true),
            rng.Normal([cout, cin, 3, 3], requiresGrad: true, std: 0.5),
            rng.Normal([cout, cout, 3, 3], requiresGrad: true, std: 0.5),
            rng.Normal([cout, cin, 1, 1], requiresGrad: true, std: 0.5),
            rng.Uniform([cin], 0.5, 1.5, requiresGrad: true),
            rng.Normal([cin], requiresGrad: true, std: 0.5),
        ], GBlock);
        GradientChecker.Check("generator block", rng, p => GBlock(p, new Probes()), inputs);
    }

    /// <summary>A discriminator-style residual block: relu → conv3x3 → relu → conv3x3 → avg-pool, plus conv1x1 → avg-pool.</summary>
    private static Tensor DBlock(Tensor[] p, Probes probes)
    {
        var (x, w1, b1, w2, wSkip) = (p[0], p[1], p[2], p[3], p[4]);
        var h = Conv2d(probes.Relu(x), w1, b1, 1, 1);
        h = AvgPool2d(Conv2d(probes.Relu(h), w2, null, 1, 1));
        return Add(h, AvgPool2d(Conv2d(x, wSkip)));
    }

    [Test]
    public void DiscriminatorBlock()
    {
        var rng = TestRng.Fresh();
        const int n = 2, cin = 2, cout = 3;
        var inputs = Draw(rng, () =>
        [
            rng.Normal([n, cin, 4, 4], requiresGrad: true),
            rng.Normal([cout, cin, 3, 3], requiresGrad: true, std: 0.5),
            rng.Normal([cout], requiresGrad: true, std: 0.5),
            rng.Normal([cout, cout, 3, 3], requiresGrad: true, std: 0.5),
            rng.Normal([cout, cin, 1, 1], requiresGrad: true, std: 0.5),
        ], DBlock);
        GradientChecker.Check("discriminator block", rng, p => DBlock(p, new Probes()), inputs);
    }
}
