using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>Matrix products with every transpose combination, batched products, and linear layers, against PyTorch.</summary>
[Category("Parity")]
public class MatMulParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("matmul");

    [TestCaseSource(nameof(Cases))]
    public void MatMul(string name)
    {
        var c = ParityFixture.Case("matmul", name);
        c.Check(x => [c.Op switch
        {
            "matmul" => Ops.MatMul(x["a"], x["b"], c.Bool("trans_a"), c.Bool("trans_b")),
            "bmm" => Ops.BatchedMatMul(x["a"], x["b"], c.Bool("trans_a"), c.Bool("trans_b")),
            "linear" => Ops.Linear(x["x"], x["w"], x.GetValueOrDefault("b")),
            _ => throw c.UnknownOp(),
        }]);
    }
}
