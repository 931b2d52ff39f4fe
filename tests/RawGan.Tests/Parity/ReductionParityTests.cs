using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>Sum and mean over chosen axes (keepdim both ways), and softmax over the last axis, against PyTorch.</summary>
[Category("Parity")]
public class ReductionParityTests
{
    private static IEnumerable<TestCaseData> ReductionCases() => ParityFixture.Cases("reduction");

    private static IEnumerable<TestCaseData> SoftmaxCases() => ParityFixture.Cases("softmax");

    [TestCaseSource(nameof(ReductionCases))]
    public void Reduction(string name)
    {
        var c = ParityFixture.Case("reduction", name);
        var axes = c.Ints("axes");
        bool keep = c.Bool("keepdim");
        c.Check(x => [c.Op switch
        {
            "sum" => Ops.Sum(x["x"], axes.Length == 0 ? null : axes, keep),
            "mean" => Ops.Mean(x["x"], axes.Length == 0 ? null : axes, keep),
            _ => throw c.UnknownOp(),
        }]);
    }

    [TestCaseSource(nameof(SoftmaxCases))]
    public void Softmax(string name)
    {
        var c = ParityFixture.Case("softmax", name);
        c.Check(x => [c.Op == "softmax" ? Ops.Softmax(x["x"]) : throw c.UnknownOp()]);
    }
}
