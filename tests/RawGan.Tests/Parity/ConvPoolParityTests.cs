using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>Convolution (padding, stride, odd sizes, batch 1, bias), 2x2 pooling and nearest upsampling against PyTorch.</summary>
[Category("Parity")]
public class ConvPoolParityTests
{
    private static IEnumerable<TestCaseData> ConvCases() => ParityFixture.Cases("conv2d");

    private static IEnumerable<TestCaseData> PoolCases() => ParityFixture.Cases("pooling");

    [TestCaseSource(nameof(ConvCases))]
    public void Conv2d(string name)
    {
        var c = ParityFixture.Case("conv2d", name);
        c.Check(x => [c.Op == "conv2d"
            ? Ops.Conv2d(x["x"], x["w"], x.GetValueOrDefault("b"), c.Int("stride"), c.Int("padding"))
            : throw c.UnknownOp()]);
    }

    [TestCaseSource(nameof(PoolCases))]
    public void Pooling(string name)
    {
        var c = ParityFixture.Case("pooling", name);
        c.Check(x => [c.Op switch
        {
            "avg_pool2d" => Ops.AvgPool2d(x["x"]),
            "max_pool2d" => Ops.MaxPool2d(x["x"]),
            "upsample2x" => Ops.Upsample2x(x["x"]),
            _ => throw c.UnknownOp(),
        }]);
    }
}
