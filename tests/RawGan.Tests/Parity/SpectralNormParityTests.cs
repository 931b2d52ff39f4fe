using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// Spectral normalisation against torch.nn.utils.spectral_norm after one training-mode forward: W/σ and its
/// gradient through W, the updated u, σ = u'·W v, and the power iteration's v.
/// </summary>
[Category("Parity")]
public class SpectralNormParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("spectral_norm");

    [TestCaseSource(nameof(Cases))]
    public void SpectralNorm(string name)
    {
        var c = ParityFixture.Case("spectral_norm", name);
        if (c.Op != "spectral_norm") throw c.UnknownOp();
        int iterations = c.Int("iterations");
        double eps = c.Double("eps");

        var inputs = c.Check(x => [Ops.SpectralNormalize(x["w"], x["u"], updateU: true, eps, iterations)]);
        c.AssertClose("u_after", inputs["u"]);

        var w = c.Reference("w");
        var sigma = Ops.SpectralNormSigma(w, c.Reference("u").Clone(), updateU: false, eps, iterations);
        c.AssertClose("sigma", sigma);

        // v is internal to the op; the kernel exposes it.
        int rows = w.Shape[0], cols = (int)(w.Numel / rows);
        var u = c.Reference("u").Clone();
        var v = Tensor.Zeros(new Shape(cols), c.DType);
        var s = Tensor.Zeros(new Shape(), c.DType);
        for (int i = 0; i < iterations; i++) w.Backend.SpectralNormPowerIteration(w.Storage, rows, cols, u.Storage, u.Storage, v.Storage, s.Storage, eps);
        c.AssertClose("v", v);
    }
}
