using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>The hinge losses (BIGGAN.md) against their definitions.</summary>
public class LossReferenceTests
{
    [Test]
    public void HingeLosses([Values(DType.Float32, DType.Float64)] DType dtype, [Values(1, 9)] int count)
    {
        var rng = TestRng.Fresh();
        var dReal = rng.Normal([count, 1], dtype, std: 2.0);
        var dFake = rng.Normal([count], dtype, std: 2.0);
        var r = dReal.ToDoubleArray();
        var f = dFake.ToDoubleArray();

        var (real, fake) = HingeLossDiscriminator(dReal, dFake);
        Tolerance.AssertClose(real, [r.Average(x => Math.Max(0, 1 - x))], "mean(relu(1 − D(x)))", rng);
        Tolerance.AssertClose(fake, [f.Average(x => Math.Max(0, 1 + x))], "mean(relu(1 + D(G(z))))", rng);
        Tolerance.AssertClose(HingeLossGenerator(dFake), [-f.Average()], "−mean(D(G(z)))", rng);
    }
}
