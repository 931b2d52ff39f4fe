using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// BigGAN's orthogonal regularisation against utils.ortho of BigGAN-PyTorch: the gradient term
/// 2·((W Wᵀ) ⊙ (1 − I))·W, its addition to an existing gradient, and the penalty it is the gradient of.
/// </summary>
[Category("Parity")]
public class OrthogonalRegularizationParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("orthogonal");

    [TestCaseSource(nameof(Cases))]
    public void OrthogonalRegularization(string name)
    {
        var c = ParityFixture.Case("orthogonal", name);
        c.Check(x =>
        {
            switch (c.Op)
            {
                case "ortho_term":
                    Assert.That(c.Double("strength"), Is.EqualTo(1.0), $"{c.Label}: the term is stored at strength 1");
                    return [Ops.OrthogonalRegularizationGradient(x["w"])];
                case "ortho_add":
                    var w = x["w"];
                    w.Grad = x["grad_before"];
                    Ops.AddOrthogonalRegularization(w, c.Double("strength"));
                    return [w.Grad];
                case "ortho_penalty":
                    return [Ops.OrthogonalPenalty(x["w"])];
                default:
                    throw c.UnknownOp();
            }
        });
    }
}
