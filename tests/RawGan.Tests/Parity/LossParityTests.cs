using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// The hinge losses (D: mean(relu(1 − D(x))) + mean(relu(1 + D(G(z)))); G: −mean(D(G(z)))), log-softmax and the
/// classifier's cross-entropy against PyTorch.
/// </summary>
[Category("Parity")]
public class LossParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("losses");

    [TestCaseSource(nameof(Cases))]
    public void Loss(string name)
    {
        var c = ParityFixture.Case("losses", name);
        c.Check(x =>
        {
            switch (c.Op)
            {
                case "hinge_d":
                    var (real, fake) = Ops.HingeLossDiscriminator(x["d_real"], x["d_fake"]);
                    return [real, fake];
                case "hinge_g":
                    return [Ops.HingeLossGenerator(x["d_fake"])];
                case "log_softmax":
                    return [Ops.LogSoftmax(x["x"])];
                case "cross_entropy":
                    return [Ops.CrossEntropy(x["logits"], x["labels"])];
                default:
                    throw c.UnknownOp();
            }
        });
    }
}
