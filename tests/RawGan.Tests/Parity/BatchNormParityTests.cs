using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// F.batch_norm in training (batch statistics, running statistics updated with the unbiased variance) and in
/// eval (running statistics), with and without affine parameters, against PyTorch.
/// </summary>
[Category("Parity")]
public class BatchNormParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("batchnorm");

    [TestCaseSource(nameof(Cases))]
    public void BatchNorm(string name)
    {
        var c = ParityFixture.Case("batchnorm", name);
        if (c.Op != "batch_norm") throw c.UnknownOp();
        var inputs = c.Check(x => [Ops.BatchNorm(x["x"], x.GetValueOrDefault("running_mean"), x.GetValueOrDefault("running_var"),
                                                 x.GetValueOrDefault("gamma"), x.GetValueOrDefault("beta"),
                                                 c.Bool("training"), c.Double("momentum"), c.Double("eps"))]);
        var extras = c.Strings("extras");
        if (c.Bool("training") && inputs.ContainsKey("running_mean"))
            Assert.That(extras, Is.EquivalentTo(new[] { "running_mean_after", "running_var_after" }), $"{c.Label}: fixture lacks the updated statistics");
        using (Assert.EnterMultipleScope())
        {
            // The op updates the running statistics in place, as F.batch_norm does.
            foreach (var role in extras) c.AssertClose(role, inputs[role.Replace("_after", "", StringComparison.Ordinal)]);
        }
    }
}
