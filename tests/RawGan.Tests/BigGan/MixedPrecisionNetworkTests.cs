using RawGan.Engine;
using RawGan.Tests.TestSupport;
using RawGan.Model.BigGan;

namespace RawGan.Tests.BigGan;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// BigGAN's G and D, forward and backward (the generator step's loss, D's parameters collecting gradients too), under
/// the bf16 policy against Float32 on the CPU. The configuration exercises every op the policy runs: hierarchical
/// latents through a shared embedding (conditional BN with BFloat16 gain and bias from spectrally normalised linear
/// maps), self-attention in G and D (softmax, batched products, pooling, the zero-dimensional gain), BN, upsampling,
/// average pooling, the projection head. Errors are relative 2-norms (<see cref="AssertClose"/>). Tolerances, with
/// what 40 seeds measured (2026-11-30): images and scores 0.05 (at most 1.8 % and 1.6 %); all of G's gradients
/// together 0.25 (10.6 %), all of D's 0.05 (1.8 %); every single gradient below 0.9 (at most 39 %: sums that cancel,
/// such as attention's scalar gain or the output convolution's bias, while a gradient that vanished gives 1 and one
/// that changed sign 2). G's gradient has passed back through D and every conditional BN at batch 4, which TF32 shows
/// too at a fifth to a tenth of the size (images 0.13 %, the worst gradient 4.4 %): the sensitivity is the network's,
/// and bf16's 8-bit mantissa shows it more.
/// </summary>
public class MixedPrecisionNetworkTests
{
    private const double OutputTolerance = 0.05, GTolerance = 0.25, DTolerance = 0.05, TensorTolerance = 0.9;

    /// <summary>Mnist32Small at batch 4: 32 channels in G and D, attention at 16x16.</summary>
    internal static readonly BigGanConfig Config = BigGanConfig.Mnist32Small with { NumClasses = 5 };

    /// <summary>G's images, D's scores and every parameter's gradient after the generator loss's backward.</summary>
    internal sealed record StepResult(Tensor Images, Tensor Scores, IReadOnlyList<(string Name, Tensor Gradient)> Gradients);

    /// <summary>Fresh G and D (the same for a seed), one forward and backward under <paramref name="precision"/>.</summary>
    internal static StepResult Step(Precision precision, int seed, Device device)
    {
        var g = new BigGanGenerator(Config, (ulong)seed, device);
        var d = new BigGanDiscriminator(Config, (ulong)seed + 1, device);
        // Attention's gain starts at 0, which would leave its branch without gradient.
        foreach (var (name, p) in g.NamedParameters().Concat(d.NamedParameters()).Where(p => p.Key.EndsWith("gamma", StringComparison.Ordinal)))
            device.Backend.Fill(p.Storage, 0.3);
        var z = Tensor.RandomNormal([4, g.DimZ], (ulong)seed + 2, device: device);
        var labels = Tensor.FromArray(new[] { 0, 3, 1, 4 }, device);
        Tensor images, scores;
        using (Autocast.Enable(precision))
        {
            images = g.Generate(z, labels);
            scores = d.Score(images, labels);
            var loss = Ops.HingeLossGenerator(scores);
            (images, scores) = (images.Detach(), scores.Detach()); // the backward frees the graph's tensors
            loss.Backward();
        }
        var gradients = g.NamedParameters().Select(p => ("G." + p.Key, p.Value.Grad!))
                         .Concat(d.NamedParameters().Select(p => ("D." + p.Key, p.Value.Grad!))).ToList();
        return new StepResult(images, scores, gradients);
    }

    /// <summary>
    /// Asserts two step results agree within the tolerances above, each error ‖got − want‖₂ / ‖want‖₂, where a single
    /// gradient's norm is taken at least a thousandth of the step's largest (a convolution's bias before a batch norm has
    /// an analytic gradient of 0, so what it holds is rounding noise in either precision).
    /// </summary>
    internal static void AssertClose(StepResult got, StepResult want, string what)
    {
        Assert.That(got.Gradients.Select(g => g.Gradient), Has.None.Null, $"{what}: every parameter gets a gradient");
        double floor = 1e-3 * want.Gradients.Max(g => Norm(g.Gradient.ToDoubleArray()));
        double Error(Tensor a, Tensor b, double minScale = 0)
        {
            Assert.That(a.Shape, Is.EqualTo(b.Shape), what);
            var (x, y) = (a.ToDoubleArray(), b.ToDoubleArray());
            return Norm(x.Zip(y, (p, q) => p - q).ToArray()) / Math.Max(Norm(y), minScale);
        }
        double Combined(string network) =>
            Error(Tensor.FromArray(got.Gradients.Where(g => g.Name.StartsWith(network, StringComparison.Ordinal)).SelectMany(g => g.Gradient.ToDoubleArray()).ToArray()),
                  Tensor.FromArray(want.Gradients.Where(g => g.Name.StartsWith(network, StringComparison.Ordinal)).SelectMany(g => g.Gradient.ToDoubleArray()).ToArray()));
        double images = Error(got.Images, want.Images), scores = Error(got.Scores, want.Scores), g = Combined("G."), d = Combined("D.");
        var worst = got.Gradients.Zip(want.Gradients, (a, b) => (a.Name, Error: Error(a.Gradient, b.Gradient, floor))).MaxBy(e => e.Error);
        TestContext.Out.WriteLine($"{what}: images {images:e2}, scores {scores:e2}, G's gradients {g:e2}, D's {d:e2}, worst {worst.Name} {worst.Error:e2}");
        Assert.That(images, Is.LessThanOrEqualTo(OutputTolerance), $"{what}: images");
        Assert.That(scores, Is.LessThanOrEqualTo(OutputTolerance), $"{what}: scores");
        Assert.That(g, Is.LessThanOrEqualTo(GTolerance), $"{what}: G's gradients");
        Assert.That(d, Is.LessThanOrEqualTo(DTolerance), $"{what}: D's gradients");
        Assert.That(worst.Error, Is.LessThan(TensorTolerance), $"{what}: the gradient of {worst.Name}");
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    [Test]
    public void GeneratorAndDiscriminatorAtBf16StayCloseToFloat32()
    {
        var rng = TestRng.Fresh();
        var mixed = Step(Precision.Bf16, rng.Seed, Device.Cpu);
        var exact = Step(Precision.Fp32, rng.Seed, Device.Cpu);
        Assert.That((mixed.Images.DType, mixed.Scores.DType), Is.EqualTo((DType.BFloat16, DType.Float32)), "bfloat16 images, Float32 scores");
        Assert.That(mixed.Gradients.All(p => p.Gradient.DType == DType.Float32), "Float32 gradients for the Float32 parameters");
        AssertClose(mixed, exact, $"bf16 against fp32; {rng}");
    }
}
