using RawGan.Engine;
using RawGan.Engine.Optim;

namespace RawGan.Tests.Parity;

/// <summary>Adam against torch.optim.Adam over several steps with the same gradients: parameters and both moments.</summary>
[Category("Parity")]
public class OptimParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("optim");

    [TestCaseSource(nameof(Cases))]
    public void Adam(string name)
    {
        var c = ParityFixture.Case("optim", name);
        var p = c.Reference("p0").Clone().RequireGrad();
        var adam = new Adam([new("p", p)], c.Double("lr"), c.Double("beta1"), c.Double("beta2"), c.Double("eps"));
        for (int i = 0; i < c.Int("steps"); i++)
        {
            p.Grad = c.Reference($"g{i}").Clone();
            adam.Step();
        }
        var moments = adam.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value);
        c.AssertClose("p", p);
        c.AssertClose("exp_avg", moments["p.exp_avg"]);
        c.AssertClose("exp_avg_sq", moments["p.exp_avg_sq"]);
    }
}
